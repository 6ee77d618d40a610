import { PASSWORD, uniqueEmail } from "./factories.ts";
import { ZApiKeyCreatedResponse, ZWhoAmI } from "@shared/schemas/api-keys.ts";

/**
 * Signs up over HTTP and mints an API key over the REST API, as a script would, against a server in another
 * process. Returns the session token (for cookies), the key and the organisation.
 */
export async function signUpOverHttp(
  url: string,
  label = "http",
): Promise<{ token: string; key: string; orgId: string }> {
  const signUp = await fetch(`${url}/trpc/auth.signUp`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: uniqueEmail(label), password: PASSWORD }),
  });
  const token = /echos_session=([^;]+)/.exec(signUp.headers.get("set-cookie") ?? "")?.[1];
  if (!token) throw new Error(`sign-up failed with ${signUp.status}: ${await signUp.text()}`);
  const created = await fetch(`${url}/api/keys`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ name: label }),
  });
  const { apiKey } = ZApiKeyCreatedResponse.parse(await created.json());
  const whoami = ZWhoAmI.parse(
    await (await fetch(`${url}/api/v1/whoami`, { headers: { "x-api-key": apiKey.key } })).json(),
  );
  return { token, key: apiKey.key, orgId: whoami.orgId };
}
