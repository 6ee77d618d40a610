import { useQueryClient } from "@tanstack/react-query";
import { useNavigate } from "react-router";
import { trpc } from "../../lib/trpc.ts";

/** Ends the session on the server, then forgets everything cached for this account. */
export function useSignOut() {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const logout = trpc.auth.logout.useMutation({
    // Also when the call fails (the session had already expired): either way this browser is signed out.
    onSettled: () => {
      // Navigate first so no signed-in page is still mounted to refetch (and fail) once the cache is emptied.
      void navigate("/login", { replace: true });
      queryClient.removeQueries();
    },
  });
  return { signOut: () => logout.mutate(), pending: logout.isPending };
}
