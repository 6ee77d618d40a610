import type { ReactNode } from "react";
import { LogoMark } from "../../components/logo.tsx";

/** A centred column on the page background: the auth pages, and the gate's loading and error states. */
export function FullScreen({ children }: { children: ReactNode }) {
  return (
    <div className="flex min-h-dvh flex-col items-center justify-center px-4 py-12">
      <div className="w-full max-w-sm">{children}</div>
    </div>
  );
}

export function SessionLoading() {
  return (
    <div role="status" aria-label="Loading" className="flex min-h-dvh items-center justify-center">
      <LogoMark className="size-9 animate-pulse" />
    </div>
  );
}
