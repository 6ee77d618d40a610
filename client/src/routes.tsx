import { lazy } from "react";
import { Navigate, Route, Routes } from "react-router";
import { AppLayout } from "./components/layout/app-layout.tsx";

// Each page is its own chunk, so the first load carries only the shell.
const OverviewPage = lazy(() => import("./features/overview/overview-page.tsx"));
const RunsPage = lazy(() => import("./features/runs/runs-page.tsx"));
const ConversationsPage = lazy(() => import("./features/conversations/conversations-page.tsx"));
const WorkflowsPage = lazy(() => import("./features/workflows/workflows-page.tsx"));
const SettingsPage = lazy(() => import("./features/settings/settings-page.tsx"));
const SystemPage = lazy(() => import("./features/system/system-page.tsx"));
const NotFoundPage = lazy(() => import("./features/not-found/not-found-page.tsx"));

export function AppRoutes() {
  return (
    <Routes>
      <Route element={<AppLayout />}>
        <Route index element={<OverviewPage />} />
        <Route path="runs" element={<RunsPage />} />
        <Route path="conversations" element={<ConversationsPage />} />
        <Route path="workflows" element={<WorkflowsPage />} />
        <Route path="settings" element={<Navigate to="/settings/api-keys" replace />} />
        <Route path="settings/:section" element={<SettingsPage />} />
        <Route path="system" element={<SystemPage />} />
        <Route path="*" element={<NotFoundPage />} />
      </Route>
    </Routes>
  );
}
