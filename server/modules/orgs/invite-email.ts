import type { Email } from "../../infra/mailer.ts";

export function inviteEmail(
  publicUrl: string,
  invite: { to: string; inviter: string; orgName: string; token: string; role: string; expiresAt: Date },
): Email {
  const link = `${publicUrl}/invite/${invite.token}`;
  return {
    to: invite.to,
    subject: `${invite.inviter} invited you to ${invite.orgName} on Echos`,
    text: [
      `${invite.inviter} invited you to join ${invite.orgName} on Echos as ${invite.role}.`,
      "",
      `Accept the invitation: ${link}`,
      "",
      `The link is valid until ${invite.expiresAt.toUTCString()}. If you did not expect this e-mail, ignore it.`,
    ].join("\n"),
  };
}
