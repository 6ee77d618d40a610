/** One layout for every e-mail: a short HTML page (inline styles, as mail clients want) and its plain-text twin. */
export interface EmailContent {
  /** Also the HTML heading. */
  title: string;
  paragraphs: string[];
  action?: { label: string; url: string };
  /** Small print under the button. */
  footer?: string;
}

const escapeHtml = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");

export function renderEmail(content: EmailContent): { html: string; text: string } {
  const text = [
    content.title,
    "",
    ...content.paragraphs.flatMap((p) => [p, ""]),
    ...(content.action ? [`${content.action.label}: ${content.action.url}`, ""] : []),
    ...(content.footer ? [content.footer, ""] : []),
    "— Echos",
  ].join("\n");

  const paragraphs = content.paragraphs
    .map((p) => `<p style="margin:0 0 16px;line-height:1.5">${escapeHtml(p)}</p>`)
    .join("\n");
  const action = content.action
    ? `<p style="margin:24px 0"><a href="${escapeHtml(content.action.url)}" style="background:#4f46e5;color:#ffffff;padding:10px 18px;border-radius:6px;text-decoration:none;font-weight:600;display:inline-block">${escapeHtml(content.action.label)}</a></p>
<p style="margin:0 0 16px;font-size:12px;color:#6b7280">Or open ${escapeHtml(content.action.url)}</p>`
    : "";
  const footer = content.footer
    ? `<p style="margin:24px 0 0;font-size:12px;color:#6b7280;line-height:1.5">${escapeHtml(content.footer)}</p>`
    : "";
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${escapeHtml(content.title)}</title></head>
<body style="margin:0;padding:24px;background:#f3f4f6;font-family:-apple-system,Segoe UI,Roboto,Helvetica,Arial,sans-serif;color:#111827">
<div style="max-width:560px;margin:0 auto;background:#ffffff;border-radius:8px;padding:32px">
<p style="margin:0 0 24px;font-weight:700;color:#4f46e5">Echos</p>
<h1 style="margin:0 0 16px;font-size:20px">${escapeHtml(content.title)}</h1>
${paragraphs}
${action}
${footer}
</div>
</body></html>`;
  return { html, text };
}
