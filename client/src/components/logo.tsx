import { clsx } from "clsx";

/** The Echos mark: a source and two returning waves. Same drawing as public/favicon.svg. */
export function LogoMark({ className }: { className?: string }) {
  return (
    <svg viewBox="0 0 32 32" fill="none" aria-hidden="true" className={clsx("size-7 shrink-0", className)}>
      <rect width="32" height="32" rx="8" className="fill-indigo-600" />
      <circle cx="11" cy="16" r="3" fill="#fff" />
      <path d="M16 10.5a7.5 7.5 0 0 1 0 11" stroke="#fff" strokeWidth="2.25" strokeLinecap="round" />
      <path d="M20.5 7a12 12 0 0 1 0 18" stroke="#fff" strokeOpacity=".6" strokeWidth="2.25" strokeLinecap="round" />
    </svg>
  );
}

export function Logo() {
  return (
    <span className="flex items-center gap-2.5">
      <LogoMark />
      <span className="text-[15px] font-semibold tracking-tight text-zinc-900 dark:text-zinc-50">Echos</span>
    </span>
  );
}
