import { Building2 } from "lucide-react";
import { LogoMark } from "../../components/logo.tsx";
import { CreateOrgForm } from "./create-org-form.tsx";
import { FullScreen } from "./full-screen.tsx";
import { useSignOut } from "./use-sign-out.ts";

/** Signed in, but a member of no organisation (the last one removed them): start one, or wait for an invite. */
export function NoOrgScreen({ email }: { email: string }) {
  const { signOut, pending } = useSignOut();
  return (
    <FullScreen>
      <LogoMark className="mx-auto mb-8 size-10" />
      <div className="rounded-xl border border-zinc-200 bg-white p-6 shadow-sm dark:border-zinc-800 dark:bg-zinc-900">
        <div className="mb-5 flex items-start gap-3">
          <span className="flex size-9 shrink-0 items-center justify-center rounded-lg bg-indigo-50 text-indigo-600 dark:bg-indigo-500/10 dark:text-indigo-400">
            <Building2 aria-hidden="true" className="size-5" />
          </span>
          <div>
            <h1 className="text-base font-semibold text-zinc-900 dark:text-zinc-100">No organisation yet</h1>
            <p className="mt-0.5 text-sm text-zinc-600 dark:text-zinc-400">
              Create one to get started, or open the invitation link a teammate sent you.
            </p>
          </div>
        </div>
        <CreateOrgForm />
      </div>
      <p className="mt-6 text-center text-sm text-zinc-500 dark:text-zinc-400">
        Signed in as {email} ·{" "}
        <button
          type="button"
          onClick={signOut}
          disabled={pending}
          className="font-medium text-indigo-600 hover:text-indigo-500 disabled:opacity-50 dark:text-indigo-400"
        >
          Sign out
        </button>
      </p>
    </FullScreen>
  );
}
