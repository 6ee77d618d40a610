import { describe, expect, it } from "vitest";
import { apiKeyExpiringEmail, inviteEmail, usageWarningEmail, welcomeEmail } from "./templates.ts";

const URL = "https://echos.example.org";

describe("e-mail templates", () => {
  const emails = {
    welcome: welcomeEmail(URL, { to: "a@example.com", name: "Ada", orgName: "Ada's organisation" }),
    invite: inviteEmail(URL, {
      to: "b@example.com",
      inviter: "ada@example.com",
      orgName: "Acme",
      token: "tok123",
      role: "member",
      expiresAt: new Date("2026-12-08T10:00:00Z"),
    }),
    usage90: usageWarningEmail(URL, {
      to: "c@example.com",
      orgName: "Acme",
      metric: "spans",
      threshold: 90,
      used: 900_000,
      limit: 1_000_000,
      resetsAt: new Date("2027-01-01T00:00:00Z"),
    }),
    usage100: usageWarningEmail(URL, {
      to: "c@example.com",
      orgName: "Acme",
      metric: "replays",
      threshold: 100,
      used: 1000,
      limit: 1000,
      resetsAt: new Date("2027-01-01T00:00:00Z"),
    }),
    keyExpiring: apiKeyExpiringEmail(URL, {
      to: "d@example.com",
      orgName: "Acme",
      name: "CI",
      prefix: "echos_i_ab12",
      expiresAt: new Date("2026-12-05T00:00:00Z"),
    }),
  };

  it("renders every template as HTML and plain text with links under the public URL", () => {
    const paths = {
      welcome: "/",
      invite: "/invite/tok123",
      usage90: "/usage",
      usage100: "/usage",
      keyExpiring: "/settings/api-keys",
    };
    for (const [name, email] of Object.entries(emails)) {
      expect(email.subject.length, name).toBeGreaterThan(0);
      expect(email.html, name).toMatch(/^<!doctype html>/);
      const link = `${URL}${paths[name as keyof typeof paths]}`;
      expect(email.text, name).toContain(link);
      expect(email.html, name).toContain(`href="${link}"`);
      expect(email.text, name).not.toMatch(/<[a-z]/);
    }
  });

  it("says what was used, against which limit, and when it resets", () => {
    expect(emails.usage90.subject).toBe("Usage limit warning: 90 % of spans ingested for Acme");
    expect(emails.usage90.text).toContain("900,000 of 1,000,000 spans ingested this month.");
    expect(emails.usage90.text).toContain("resets on Fri, 01 Jan 2027");
    expect(emails.usage100.subject).toBe("Usage limit reached: replays run for Acme");
    expect(emails.usage100.text).toContain("New replays are refused");
    expect(emails.keyExpiring.text).toContain('"CI" (echos_i_ab12…) of Acme expires on Sat, 05 Dec 2026');
  });

  it("escapes names in the HTML and leaves them as written in the text", () => {
    const email = welcomeEmail(URL, { to: "x@example.com", name: "<b>Eve</b>", orgName: "Tom & Jerry's" });
    expect(email.html).toContain("&lt;b&gt;Eve&lt;/b&gt;");
    expect(email.html).toContain("Tom &amp; Jerry&#39;s");
    expect(email.html).not.toContain("<b>Eve</b>");
    expect(email.text).toContain("Welcome to Echos, <b>Eve</b>");
  });
});
