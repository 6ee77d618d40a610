import { useState } from "react";
import { Navigate, useSearchParams } from "react-router";
import { Alert } from "../../components/alert.tsx";
import { Button } from "../../components/button.tsx";
import { Field, TextInput } from "../../components/form.tsx";
import { errorMessage } from "../../lib/errors.ts";
import { safeNextPath } from "../../lib/safe-next.ts";
import { trpc } from "../../lib/trpc.ts";
import { AuthCard, AuthLink } from "./auth-card.tsx";
import { useFinishSignIn } from "./use-finish-sign-in.ts";

/** `/signup`, keeping an invitation the visitor was following (`next=/invite/<token>`). */
function signUpPathFor(next: string): string {
  const invite = /^\/invite\/([^/?#]+)$/.exec(next)?.[1];
  return invite ? `/signup?invite=${invite}` : next === "/" ? "/signup" : `/signup?next=${encodeURIComponent(next)}`;
}

export default function LoginPage() {
  const [params] = useSearchParams();
  const next = safeNextPath(params.get("next"));
  const me = trpc.auth.me.useQuery();
  const finish = useFinishSignIn();
  const login = trpc.auth.login.useMutation({ onSuccess: () => finish(next) });
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");

  if (me.data && login.isIdle) return <Navigate to={next} replace />;

  return (
    <AuthCard
      title="Sign in to Echos"
      description="See every run of your agents live."
      footer={
        <>
          New to Echos? <AuthLink to={signUpPathFor(next)}>Create an account</AuthLink>
        </>
      }
    >
      <form
        onSubmit={(e) => {
          e.preventDefault();
          login.mutate({ email, password });
        }}
        className="space-y-4"
      >
        <Field label="Email">
          {(ids) => (
            <TextInput
              {...ids}
              type="email"
              autoComplete="email"
              required
              autoFocus
              value={email}
              onChange={(e) => setEmail(e.target.value)}
              data-testid="login-email"
            />
          )}
        </Field>
        <Field label="Password">
          {(ids) => (
            <TextInput
              {...ids}
              type="password"
              autoComplete="current-password"
              required
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              data-testid="login-password"
            />
          )}
        </Field>
        <Alert>{errorMessage(login.error)}</Alert>
        <Button type="submit" variant="primary" className="w-full" pending={login.isPending} data-testid="login-submit">
          Sign in
        </Button>
      </form>
    </AuthCard>
  );
}
