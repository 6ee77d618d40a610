import type { Email } from "../../infra/mailer.ts";
import { renderEmail } from "./layout.ts";

/** Every link starts at the configured public URL (ECHOS_API_URL); nothing here knows a host name. */
const at = (publicUrl: string, path: string) => `${publicUrl}${path}`;
const number = (n: number) => n.toLocaleString("en-US");
const day = (d: Date) => d.toUTCString().replace(/ \d\d:\d\d:\d\d GMT$/, "");

export function welcomeEmail(publicUrl: string, user: { to: string; name: string; orgName: string }): Email {
  const content = renderEmail({
    title: `Welcome to Echos, ${user.name}`,
    paragraphs: [
      `Your account is ready and you own the organisation ${user.orgName}.`,
      "Create an API key under Settings → API keys, set ECHOS_API_KEY and ECHOS_API_URL in your agent's environment, and its runs appear live in the dashboard.",
    ],
    action: { label: "Open Echos", url: at(publicUrl, "/") },
    footer: "You receive this e-mail because an account was created with this address.",
  });
  return { to: user.to, subject: "Welcome to Echos", ...content };
}

export function inviteEmail(
  publicUrl: string,
  invite: { to: string; inviter: string; orgName: string; token: string; role: string; expiresAt: Date },
): Email {
  const content = renderEmail({
    title: `Join ${invite.orgName} on Echos`,
    paragraphs: [`${invite.inviter} invited you to join ${invite.orgName} on Echos as ${invite.role}.`],
    action: { label: "Accept the invitation", url: at(publicUrl, `/invite/${invite.token}`) },
    footer: `The link is valid until ${invite.expiresAt.toUTCString()}. If you did not expect this e-mail, ignore it.`,
  });
  return { to: invite.to, subject: `${invite.inviter} invited you to ${invite.orgName} on Echos`, ...content };
}

export interface UsageWarning {
  to: string;
  orgName: string;
  metric: "spans" | "replays";
  threshold: 90 | 100;
  used: number;
  limit: number;
  resetsAt: Date;
}

export function usageWarningEmail(publicUrl: string, w: UsageWarning): Email {
  const what = w.metric === "spans" ? "spans ingested" : "replays run";
  const reached = w.threshold === 100;
  const consequence = reached
    ? w.metric === "spans"
      ? "New spans are refused (HTTP 429) until the limit resets or is raised; runs already recorded stay available."
      : "New replays are refused until the limit resets or is raised."
    : "When it reaches 100 %, new ones are refused until the limit resets or is raised.";
  const content = renderEmail({
    title: reached
      ? `${w.orgName} has reached its monthly limit of ${what}`
      : `${w.orgName} has used ${w.threshold} % of its monthly ${what}`,
    paragraphs: [
      `${number(w.used)} of ${number(w.limit)} ${what} this month.`,
      consequence,
      `The count resets on ${day(w.resetsAt)} (UTC). Owners can change the limit on the Usage page.`,
    ],
    action: { label: "See usage", url: at(publicUrl, "/usage") },
    footer: "You receive this e-mail as an owner or admin of the organisation.",
  });
  const subject = reached
    ? `Usage limit reached: ${what} for ${w.orgName}`
    : `Usage limit warning: ${w.threshold} % of ${what} for ${w.orgName}`;
  return { to: w.to, subject, ...content };
}

export function apiKeyExpiringEmail(
  publicUrl: string,
  key: { to: string; orgName: string; name: string; prefix: string; expiresAt: Date },
): Email {
  const content = renderEmail({
    title: `The API key "${key.name}" expires soon`,
    paragraphs: [
      `The API key "${key.name}" (${key.prefix}…) of ${key.orgName} expires on ${key.expiresAt.toUTCString()}.`,
      "Requests made with it are refused from then on. Create a new key and replace it where it is used before that date.",
    ],
    action: { label: "Manage API keys", url: at(publicUrl, "/settings/api-keys") },
    footer: "You receive this e-mail as an admin of the organisation or as the key's creator.",
  });
  return { to: key.to, subject: `API key "${key.name}" expires on ${day(key.expiresAt)}`, ...content };
}
