import { ArrowLeft, Compass } from "lucide-react";
import { Link, useLocation } from "react-router";

export default function NotFoundPage() {
  const { pathname } = useLocation();
  return (
    <div className="flex flex-col items-center py-24 text-center">
      <div className="flex size-12 items-center justify-center rounded-xl bg-zinc-100 text-zinc-500 dark:bg-zinc-800 dark:text-zinc-400">
        <Compass aria-hidden="true" className="size-6" />
      </div>
      <p className="mt-6 text-sm font-semibold text-indigo-600 dark:text-indigo-400">404</p>
      <h1 className="mt-1 text-2xl font-semibold tracking-tight text-zinc-900 dark:text-zinc-50">Page not found</h1>
      <p className="mt-2 max-w-md text-sm text-zinc-600 dark:text-zinc-400">
        There is nothing at{" "}
        <code className="rounded bg-zinc-100 px-1 py-0.5 font-mono text-[12px] break-all text-zinc-800 dark:bg-zinc-800 dark:text-zinc-200">
          {pathname}
        </code>
        . The link may be old, or the address mistyped.
      </p>
      <Link
        to="/"
        className="mt-8 inline-flex items-center gap-1.5 rounded-md bg-indigo-600 px-3 py-1.5 text-sm font-medium text-white shadow-xs transition-colors hover:bg-indigo-500"
      >
        <ArrowLeft aria-hidden="true" className="size-4" />
        Back to Overview
      </Link>
    </div>
  );
}
