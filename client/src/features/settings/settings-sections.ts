import { Cable, CircleDollarSign, KeyRound, LockKeyhole, ScrollText, Users, type LucideIcon } from "lucide-react";

export interface SettingsSection {
  slug: string;
  label: string;
  icon: LucideIcon;
  emptyTitle: string;
  emptyText: string;
}

export const SETTINGS_SECTIONS: readonly SettingsSection[] = [
  {
    slug: "api-keys",
    label: "API keys",
    icon: KeyRound,
    emptyTitle: "No API keys yet",
    emptyText:
      "API keys let your agents, the SDK and OpenTelemetry exporters send runs to Echos. A new key is shown once when you create it; give it an expiry and revoke it at any time.",
  },
  {
    slug: "members",
    label: "Members",
    icon: Users,
    emptyTitle: "No other members yet",
    emptyText:
      "Invite your teammates and choose each one's role. Everyone in the organisation, and what they may do, is listed here.",
  },
  {
    slug: "credentials",
    label: "Credentials",
    icon: LockKeyhole,
    emptyTitle: "No provider credentials",
    emptyText:
      "Add your LLM providers' keys so Echos can re-run steps on the server when you time-travel a run. Each credential is listed here with its provider and when it was last used.",
  },
  {
    slug: "models",
    label: "Models",
    icon: CircleDollarSign,
    emptyTitle: "No prices of your own",
    emptyText:
      "Calls are priced at the built-in list prices. Add a model Echos does not know, or your own prices, which win over the built-in ones.",
  },
  {
    slug: "audit",
    label: "Audit log",
    icon: ScrollText,
    emptyTitle: "Nothing recorded yet",
    emptyText:
      "Sign-ins, API keys, invitations, role changes and credential updates in this organisation are recorded here, with who did them and from where.",
  },
  {
    slug: "runtimes",
    label: "Runtimes",
    icon: Cable,
    emptyTitle: "No runtime connected",
    emptyText: "Processes of yours connected to Echos, where replays run the steps that need your own tools.",
  },
];

export function findSection(slug: string | undefined): SettingsSection | undefined {
  return SETTINGS_SECTIONS.find((s) => s.slug === slug);
}
