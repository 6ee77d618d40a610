import { Suspense } from "react";
import { Outlet } from "react-router";
import { SessionLoading } from "../../features/session/full-screen.tsx";

/** The signed-out pages (sign in, sign up, invitations): no sidebar, just the page. */
export function PublicLayout() {
  return (
    <Suspense fallback={<SessionLoading />}>
      <Outlet />
    </Suspense>
  );
}
