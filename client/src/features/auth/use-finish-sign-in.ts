import { useNavigate } from "react-router";
import { trpc } from "../../lib/trpc.ts";

/** After the server set the session cookie: refetch everything as the new user, then go where they were headed. */
export function useFinishSignIn() {
  const utils = trpc.useUtils();
  const navigate = useNavigate();
  return async (next: string) => {
    await utils.invalidate();
    await navigate(next, { replace: true });
  };
}
