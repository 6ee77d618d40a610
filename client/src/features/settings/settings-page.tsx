import { clsx } from "clsx";
import { lazy, Suspense, useEffect, useRef, type ComponentType, type LazyExoticComponent } from "react";
import { NavLink, useParams } from "react-router";
import { EmptyState } from "../../components/empty-state.tsx";
import { PageHeader } from "../../components/page-header.tsx";
import { PageLoader } from "../../components/page-loader.tsx";
import NotFoundPage from "../not-found/not-found-page.tsx";
import { useCurrentOrg } from "../session/use-current-org.ts";
import { findSection, SETTINGS_SECTIONS } from "./settings-sections.ts";

// Each tab is its own chunk too: most visits open one of them.
const SECTION_PAGES: Partial<Record<string, LazyExoticComponent<ComponentType>>> = {
  "api-keys": lazy(() => import("./api-keys/api-keys-section.tsx")),
  members: lazy(() => import("./members/members-section.tsx")),
  credentials: lazy(() => import("./credentials/credentials-section.tsx")),
  models: lazy(() => import("./models/models-section.tsx")),
  audit: lazy(() => import("./audit/audit-section.tsx")),
  runtimes: lazy(() => import("./runtimes/runtimes-section.tsx")),
};

/** The sections as tabs; on a phone they scroll sideways, with the current one brought into view. */
function SettingsTabs({ current }: { current: string }) {
  const list = useRef<HTMLUListElement>(null);
  useEffect(() => {
    list.current?.querySelector('[aria-current="page"]')?.scrollIntoView({ block: "nearest", inline: "nearest" });
  }, [current]);
  return (
    <nav aria-label="Settings" className="mb-6 border-b border-zinc-200 dark:border-zinc-800">
      <ul ref={list} className="scroll-shadow-x -mb-px flex gap-6 overflow-x-auto">
        {SETTINGS_SECTIONS.map(({ slug, label, icon: Icon }) => (
          <li key={slug}>
            <NavLink
              to={`/settings/${slug}`}
              className={({ isActive }) =>
                clsx(
                  "flex items-center gap-2 border-b-2 px-0.5 pb-3 text-sm font-medium whitespace-nowrap transition-colors",
                  isActive
                    ? "border-indigo-600 text-zinc-900 dark:border-indigo-400 dark:text-zinc-50"
                    : "border-transparent text-zinc-500 hover:border-zinc-300 hover:text-zinc-800 dark:text-zinc-400 dark:hover:border-zinc-700 dark:hover:text-zinc-200",
                )
              }
            >
              <Icon aria-hidden="true" className="size-4" />
              {label}
            </NavLink>
          </li>
        ))}
      </ul>
    </nav>
  );
}

export default function SettingsPage() {
  const section = findSection(useParams().section);
  const { org } = useCurrentOrg();
  if (!section) return <NotFoundPage />;
  const Section = SECTION_PAGES[section.slug];
  return (
    <>
      <PageHeader
        title="Settings"
        description="Your organisation's access, members, provider credentials, model prices and connected runtimes."
      />
      <SettingsTabs current={section.slug} />
      {Section ? (
        <Suspense fallback={<PageLoader />}>
          {/* Keyed by organisation: switching drops forms, confirmations and a just-created key. */}
          <Section key={org.id} />
        </Suspense>
      ) : (
        <EmptyState icon={section.icon} title={section.emptyTitle} description={section.emptyText} />
      )}
    </>
  );
}
