import { lazy } from "react";
import { Navigate, Route, Routes } from "react-router";
import { AppLayout } from "./components/layout/app-layout.tsx";
import { PublicLayout } from "./components/layout/public-layout.tsx";
import { RequireSession } from "./features/session/require-session.tsx";

// Each page is its own chunk, so the first load carries only the shell.
const OverviewPage = lazy(() => import("./features/overview/overview-page.tsx"));
const RunsPage = lazy(() => import("./features/runs/runs-page.tsx"));
const RunDetailPage = lazy(() => import("./routes/run-detail-route.tsx"));
const RunComparePage = lazy(() => import("./routes/run-compare-route.tsx"));
const ReplayPage = lazy(() => import("./features/replay/replay-page.tsx"));
const PlaygroundPage = lazy(() => import("./features/replay/playground-page.tsx"));
const ConversationsPage = lazy(() => import("./features/conversations/conversations-page.tsx"));
const ConversationDetailPage = lazy(() => import("./features/conversations/conversation-detail-page.tsx"));
const WorkflowsPage = lazy(() => import("./features/workflows/workflows-page.tsx"));
const UsagePage = lazy(() => import("./features/usage/usage-page.tsx"));
const SettingsPage = lazy(() => import("./features/settings/settings-page.tsx"));
const SystemPage = lazy(() => import("./features/system/system-page.tsx"));
const AccountPage = lazy(() => import("./features/account/account-page.tsx"));
const NotFoundPage = lazy(() => import("./features/not-found/not-found-page.tsx"));
const LoginPage = lazy(() => import("./features/auth/login-page.tsx"));
const SignUpPage = lazy(() => import("./features/auth/signup-page.tsx"));
const InvitePage = lazy(() => import("./features/auth/invite-page.tsx"));

export function AppRoutes() {
  return (
    <Routes>
      <Route element={<PublicLayout />}>
        <Route path="login" element={<LoginPage />} />
        <Route path="signup" element={<SignUpPage />} />
        <Route path="invite/:token" element={<InvitePage />} />
      </Route>
      <Route element={<RequireSession />}>
        <Route element={<AppLayout />}>
          <Route index element={<OverviewPage />} />
          <Route path="runs" element={<RunsPage />} />
          <Route path="runs/compare" element={<RunComparePage />} />
          <Route path="runs/:runId" element={<RunDetailPage />} />
          <Route path="runs/:runId/replay" element={<ReplayPage />} />
          <Route path="runs/:runId/playground" element={<PlaygroundPage />} />
          <Route path="conversations" element={<ConversationsPage />} />
          <Route path="conversations/:conversationId" element={<ConversationDetailPage />} />
          <Route path="workflows" element={<WorkflowsPage />} />
          <Route path="usage" element={<UsagePage />} />
          <Route path="settings" element={<Navigate to="/settings/api-keys" replace />} />
          <Route path="settings/:section" element={<SettingsPage />} />
          <Route path="system" element={<SystemPage />} />
          <Route path="account" element={<AccountPage />} />
          <Route path="*" element={<NotFoundPage />} />
        </Route>
      </Route>
    </Routes>
  );
}
