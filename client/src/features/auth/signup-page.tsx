import { useState } from "react";
import { Navigate, useSearchParams } from "react-router";
import { Alert } from "../../components/alert.tsx";
import { Button } from "../../components/button.tsx";
import { Field, TextInput } from "../../components/form.tsx";
import { errorMessage } from "../../lib/errors.ts";
import { safeNextPath } from "../../lib/safe-next.ts";
import { trpc } from "../../lib/trpc.ts";
import { AuthCard, AuthLink } from "./auth-card.tsx";
import { InviteBanner } from "./invite-banner.tsx";
import { useFinishSignIn } from "./use-finish-sign-in.ts";

export default function SignUpPage() {
  const [params] = useSearchParams();
  const inviteToken = params.get("invite") ?? undefined;
  const next = safeNextPath(params.get("next"));
  const me = trpc.auth.me.useQuery();
  const invite = trpc.orgs.inviteDetails.useQuery(
    { token: inviteToken ?? "" },
    { enabled: !!inviteToken, retry: false },
  );
  const finish = useFinishSignIn();
  const signUp = trpc.auth.signUp.useMutation({ onSuccess: () => finish(next) });
  const [name, setName] = useState("");
  // Until the visitor types, the address the invitation was sent to.
  const [email, setEmail] = useState<string | null>(null);
  const [password, setPassword] = useState("");
  const shownEmail = email ?? invite.data?.email ?? "";

  if (me.data && signUp.isIdle) return <Navigate to={inviteToken ? `/invite/${inviteToken}` : next} replace />;

  const loginNext = inviteToken ? `/invite/${inviteToken}` : next;
  return (
    <AuthCard
      title="Create your account"
      description={inviteToken ? "Join your team on Echos." : "Start seeing every run of your agents."}
      footer={
        <>
          Already have an account?{" "}
          <AuthLink to={loginNext === "/" ? "/login" : `/login?next=${encodeURIComponent(loginNext)}`}>
            Sign in
          </AuthLink>
        </>
      }
    >
      {inviteToken && <InviteBanner query={invite} className="mb-5" />}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          signUp.mutate({ name: name.trim() || undefined, email: shownEmail, password, inviteToken });
        }}
        className="space-y-4"
      >
        <Field label="Name" hint="Optional; shown to your teammates.">
          {(ids) => (
            <TextInput
              {...ids}
              autoComplete="name"
              maxLength={100}
              value={name}
              onChange={(e) => setName(e.target.value)}
              data-testid="signup-name"
            />
          )}
        </Field>
        <Field label="Email">
          {(ids) => (
            <TextInput
              {...ids}
              type="email"
              autoComplete="email"
              required
              value={shownEmail}
              onChange={(e) => setEmail(e.target.value)}
              data-testid="signup-email"
            />
          )}
        </Field>
        <Field label="Password" hint="At least 8 characters.">
          {(ids) => (
            <TextInput
              {...ids}
              type="password"
              autoComplete="new-password"
              required
              minLength={8}
              maxLength={128}
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              data-testid="signup-password"
            />
          )}
        </Field>
        <Alert>{errorMessage(signUp.error)}</Alert>
        <Button
          type="submit"
          variant="primary"
          className="w-full"
          pending={signUp.isPending}
          data-testid="signup-submit"
        >
          {inviteToken ? "Create account and join" : "Create account"}
        </Button>
      </form>
    </AuthCard>
  );
}
