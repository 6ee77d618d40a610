import type { ReactNode } from "react";
import { Link } from "react-router";
import { LogoMark } from "../../components/logo.tsx";
import { FullScreen } from "../session/full-screen.tsx";

interface AuthCardProps {
  title: string;
  description?: ReactNode;
  children: ReactNode;
  /** Under the card: the link to the other form. */
  footer?: ReactNode;
}

/** The public pages' frame: the Echos mark, a heading and one centred card. */
export function AuthCard({ title, description, children, footer }: AuthCardProps) {
  return (
    <FullScreen>
      <div className="mb-8 flex flex-col items-center text-center">
        <Link to="/" aria-label="Echos" className="rounded-lg">
          <LogoMark className="size-10" />
        </Link>
        <h1 className="mt-5 text-xl font-semibold tracking-tight text-zinc-900 dark:text-zinc-50">{title}</h1>
        {description && <p className="mt-1.5 text-sm text-zinc-600 dark:text-zinc-400">{description}</p>}
      </div>
      <div className="rounded-xl border border-zinc-200 bg-white p-6 shadow-sm dark:border-zinc-800 dark:bg-zinc-900">
        {children}
      </div>
      {footer && <p className="mt-6 text-center text-sm text-zinc-600 dark:text-zinc-400">{footer}</p>}
    </FullScreen>
  );
}

export function AuthLink({ to, children }: { to: string; children: ReactNode }) {
  return (
    <Link to={to} className="font-medium text-indigo-600 hover:text-indigo-500 dark:text-indigo-400">
      {children}
    </Link>
  );
}
