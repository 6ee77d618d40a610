import { BlockList, isIP } from "node:net";

/**
 * Which IP addresses an outgoing request from a workflow step may reach. Refused: everything that is not the
 * public internet (loopback, private, link-local/metadata, multicast, reserved), and IPv6 forms that embed such an
 * IPv4 address. Documentation ranges (TEST-NET, 2001:db8::/32) stay reachable: tests need a public-looking address.
 */

type Rule = [cidr: string, description: string];

const IPV4_RULES: Rule[] = [
  ["255.255.255.255/32", "a broadcast address"],
  ["0.0.0.0/8", 'a "this network" address'],
  ["10.0.0.0/8", "a private address"],
  ["100.64.0.0/10", "a shared (carrier-grade NAT) address"],
  ["127.0.0.0/8", "a loopback address"],
  ["169.254.0.0/16", "a link-local/metadata address"],
  ["172.16.0.0/12", "a private address"],
  ["192.0.0.0/24", "an IETF protocol-assignment address"],
  ["192.168.0.0/16", "a private address"],
  ["198.18.0.0/15", "a benchmarking address"],
  ["224.0.0.0/4", "a multicast address"],
  ["240.0.0.0/4", "a reserved address"],
];

const IPV6_RULES: Rule[] = [
  ["::/128", "an unspecified address"],
  ["::1/128", "a loopback address"],
  // Deprecated IPv4-compatible form (::a.b.c.d): never a legitimate public target.
  ["::/96", "an IPv4-compatible address"],
  ["64:ff9b:1::/48", "a local-use NAT64 address"],
  ["100::/64", "a discard-only address"],
  ["2001::/32", "a Teredo address"],
  ["fc00::/7", "a unique-local (private) address"],
  ["fe80::/10", "a link-local address"],
  ["fec0::/10", "a site-local address"],
  ["ff00::/8", "a multicast address"],
];

function blockList(rules: Rule[], type: "ipv4" | "ipv6") {
  return rules.map(([cidr, label]) => {
    const [network = "", prefix = ""] = cidr.split("/");
    const list = new BlockList();
    list.addSubnet(network, Number(prefix), type);
    return { list, label };
  });
}

const V4 = blockList(IPV4_RULES, "ipv4");
const V6 = blockList(IPV6_RULES, "ipv6");

/** The 16 bytes of an IPv6 address (already validated by `isIP`). */
function ipv6Bytes(address: string): number[] {
  let text = address.toLowerCase();
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted?.[1]) {
    const [a = 0, b = 0, c = 0, d = 0] = dotted[1].split(".").map(Number);
    text = `${text.slice(0, -dotted[1].length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = "", tail] = text.split("::");
  const groups = (part: string) => (part ? part.split(":").map((g) => parseInt(g, 16)) : []);
  const left = groups(head);
  const right = tail === undefined ? [] : groups(tail);
  const all = [...left, ...Array<number>(8 - left.length - right.length).fill(0), ...right];
  return all.flatMap((g) => [g >> 8, g & 0xff]);
}

const v4At = (bytes: number[], offset: number) => bytes.slice(offset, offset + 4).join(".");

/** The IPv4 address an IPv6 address carries (mapped ::ffff:a.b.c.d, NAT64 64:ff9b::/96, 6to4 2002::/16). */
function embeddedIpv4(bytes: number[]): { v4: string; form: string } | undefined {
  const prefixIs = (expected: number[]) => expected.every((b, i) => bytes[i] === b);
  if (prefixIs([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff])) return { v4: v4At(bytes, 12), form: "IPv4-mapped" };
  if (prefixIs([0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0])) return { v4: v4At(bytes, 12), form: "NAT64" };
  if (prefixIs([0x20, 0x02])) return { v4: v4At(bytes, 2), form: "6to4" };
  return undefined;
}

/** Why an address is refused ("a loopback address", …), or undefined when it is a public address. */
export function refusalReason(address: string): string | undefined {
  const family = isIP(address);
  if (family === 4) {
    const hit = V4.find((r) => r.list.check(address, "ipv4"));
    return hit?.label;
  }
  if (family !== 6) return "not an IP address";
  const embedded = embeddedIpv4(ipv6Bytes(address));
  if (embedded) {
    const inner = refusalReason(embedded.v4);
    return inner && `the ${embedded.form} form of ${embedded.v4}, ${inner}`;
  }
  const hit = V6.find((r) => r.list.check(address, "ipv6"));
  return hit?.label;
}

/** Operator allow-list of CIDRs ("10.0.0.0/8", "fd00::/8", or a single address). */
export function cidrAllowList(cidrs: readonly string[]): (address: string) => boolean {
  const list = new BlockList();
  for (const cidr of cidrs) {
    const parsed = parseCidr(cidr);
    if (!parsed) throw new Error(`Not a CIDR: ${cidr}`);
    list.addSubnet(parsed.network, parsed.prefix, parsed.type);
  }
  return (address) => {
    const family = isIP(address);
    if (family === 0) return false;
    if (list.check(address, family === 4 ? "ipv4" : "ipv6")) return true;
    // An IPv4-mapped address is allowed when its IPv4 address is.
    const embedded = family === 6 ? embeddedIpv4(ipv6Bytes(address)) : undefined;
    return embedded?.form === "IPv4-mapped" && list.check(embedded.v4, "ipv4");
  };
}

export function parseCidr(cidr: string): { network: string; prefix: number; type: "ipv4" | "ipv6" } | undefined {
  const [network = "", prefixText, ...rest] = cidr.trim().split("/");
  const family = isIP(network);
  if (family === 0 || rest.length > 0) return undefined;
  const max = family === 4 ? 32 : 128;
  const prefix = prefixText === undefined ? max : Number(prefixText);
  if (!/^\d+$/.test(prefixText ?? String(max)) || prefix > max) return undefined;
  return { network, prefix, type: family === 4 ? "ipv4" : "ipv6" };
}
