import { Link, useNavigate, useParams } from "react-router";
import { Alert } from "../../components/alert.tsx";
import { Button, buttonClass } from "../../components/button.tsx";
import { errorMessage } from "../../lib/errors.ts";
import { trpc } from "../../lib/trpc.ts";
import { AuthCard } from "./auth-card.tsx";
import { InviteBanner } from "./invite-banner.tsx";

function SignedOutChoices({ token }: { token: string }) {
  return (
    <div className="mt-5 space-y-2">
      <Link
        to={`/signup?invite=${token}`}
        className={buttonClass("primary", "md", "w-full")}
        data-testid="invite-signup"
      >
        Create an account to join
      </Link>
      <Link
        to={`/login?next=${encodeURIComponent(`/invite/${token}`)}`}
        className={buttonClass("secondary", "md", "w-full")}
        data-testid="invite-login"
      >
        I already have an account
      </Link>
    </div>
  );
}

export default function InvitePage() {
  const token = useParams().token ?? "";
  const navigate = useNavigate();
  const utils = trpc.useUtils();
  const me = trpc.auth.me.useQuery();
  const invite = trpc.orgs.inviteDetails.useQuery({ token }, { retry: false });
  const accept = trpc.orgs.acceptInvite.useMutation({
    onSuccess: async () => {
      await utils.invalidate();
      await navigate("/", { replace: true });
    },
  });
  const user = me.data?.user;
  const otherAddress = user && invite.data && user.email !== invite.data.email;

  return (
    <AuthCard
      title={invite.data ? `Join ${invite.data.orgName}` : invite.isError ? "Invitation not valid" : "Invitation"}
      description={invite.data ? "A teammate invited you to their organisation on Echos." : undefined}
    >
      <InviteBanner query={invite} />
      {invite.isError && (
        <Link to="/" className={buttonClass("secondary", "md", "mt-5 w-full")}>
          Go to Echos
        </Link>
      )}
      {invite.data && me.data === null && <SignedOutChoices token={token} />}
      {invite.data && user && (
        <div className="mt-5 space-y-3">
          <p className="text-sm text-zinc-600 dark:text-zinc-400">
            Signed in as <span className="font-medium text-zinc-900 dark:text-zinc-100">{user.email}</span>
          </p>
          {otherAddress && (
            <Alert>This invitation was sent to {invite.data.email}. Sign in with that address to accept it.</Alert>
          )}
          <Alert>{errorMessage(accept.error)}</Alert>
          <Button
            variant="primary"
            className="w-full"
            pending={accept.isPending}
            disabled={!!otherAddress}
            onClick={() => accept.mutate({ token })}
            data-testid="accept-invite"
          >
            Accept invitation
          </Button>
        </div>
      )}
    </AuthCard>
  );
}
