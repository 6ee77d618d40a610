import { Suspense } from "react";
import { Outlet, useLocation } from "react-router";
import { PageLoader } from "../page-loader.tsx";
import { RouteErrorBoundary } from "./route-error-boundary.tsx";
import { Sidebar } from "./sidebar.tsx";
import { TopBar } from "./top-bar.tsx";

export function AppLayout() {
  const { pathname } = useLocation();
  return (
    <div className="flex min-h-dvh">
      <a
        href="#main"
        className="sr-only z-50 rounded-md bg-indigo-600 px-3 py-2 text-sm font-medium text-white focus:not-sr-only focus:fixed focus:top-3 focus:left-3"
      >
        Skip to content
      </a>
      <Sidebar />
      <div className="flex min-w-0 flex-1 flex-col">
        <TopBar />
        <main id="main" tabIndex={-1} className="flex-1 px-4 py-8 sm:px-6 outline-none lg:px-10">
          <div className="mx-auto w-full max-w-6xl">
            {/* Keyed by path so an error on one page does not stick when navigating to another. */}
            <RouteErrorBoundary key={pathname}>
              <Suspense fallback={<PageLoader />}>
                <Outlet />
              </Suspense>
            </RouteErrorBoundary>
          </div>
        </main>
      </div>
    </div>
  );
}
