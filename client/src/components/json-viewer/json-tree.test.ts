import { describe, expect, it } from "vitest";
import {
  childPath,
  isEmptyJson,
  isLarger,
  isOpen,
  ROOT_PATH,
  searchJson,
  type OpenState,
  type SearchResult,
} from "./json-tree.ts";

/** A path from its keys, as the viewer builds it. */
const path = (...keys: string[]) => keys.reduce(childPath, ROOT_PATH);

const order = {
  id: "M-5521",
  lines: [
    { sku: "CBL-USB-C", price: 1499, priceUnit: "cents" },
    { sku: "GIFT", price: 0 },
  ],
  total: 29.98,
  shipped: true,
  note: null,
};

describe("searchJson", () => {
  it("finds keys and values in any case, and opens every container on the way to each hit", () => {
    const result = searchJson(order, "PRICE");
    expect([...result.hits].sort()).toEqual(
      [path("lines", "0", "price"), path("lines", "0", "priceUnit"), path("lines", "1", "price")].sort(),
    );
    expect(result.count).toBe(3);
    expect([...result.open].sort()).toEqual([ROOT_PATH, path("lines"), path("lines", "0"), path("lines", "1")].sort());
    expect(result.truncated).toBe(false);
  });

  it("matches numbers, booleans and null by their JSON text, but not array indexes", () => {
    expect([...searchJson(order, "1499").hits]).toEqual([path("lines", "0", "price")]);
    expect([...searchJson(order, "true").hits]).toEqual([path("shipped")]);
    expect([...searchJson(order, "null").hits]).toEqual([path("note")]);
    // "0" is the first item's index and the second item's price: only the price is a hit.
    expect([...searchJson(order, "0").hits]).toEqual([path("lines", "1", "price")]);
  });

  it("finds nothing for a blank query", () => {
    expect(searchJson(order, "   ")).toMatchObject({ count: 0, truncated: false });
    expect(searchJson(order, "").hits.size).toBe(0);
  });

  it("gives up after its node limit and says so", () => {
    const big = Array.from({ length: 50 }, (_, i) => ({ name: `item ${i}` }));
    const capped = searchJson(big, "item", 21);
    expect(capped.truncated).toBe(true);
    expect(capped.count).toBe(10);
    expect(searchJson(big, "item").count).toBe(50);
  });
});

describe("isOpen", () => {
  const noSearch: SearchResult = { hits: new Set(), open: new Set(), count: 0, truncated: false };
  const state = (patch: Partial<OpenState> = {}): OpenState => ({
    result: noSearch,
    defaultDepth: 2,
    toggles: new Map(),
    all: null,
    ...patch,
  });
  const p = path("a");

  it("opens the first levels by default", () => {
    expect(isOpen(state(), p, 1)).toBe(true);
    expect(isOpen(state(), p, 2)).toBe(false);
  });

  it("lets expand all and collapse all override the depth, and the user's own toggle override those", () => {
    expect(isOpen(state({ all: true }), p, 5)).toBe(true);
    expect(isOpen(state({ all: false }), p, 0)).toBe(false);
    expect(isOpen(state({ all: false, toggles: new Map([[p, true]]) }), p, 0)).toBe(true);
    expect(isOpen(state({ all: true, toggles: new Map([[p, false]]) }), p, 0)).toBe(false);
  });

  it("keeps the way to a search hit open even where the user closed it", () => {
    const result = { ...noSearch, open: new Set([p]) };
    expect(isOpen(state({ result, all: false, toggles: new Map([[p, false]]) }), p, 9)).toBe(true);
  });
});

describe("isLarger", () => {
  it("counts every node, containers included", () => {
    // The object, the array and its three numbers: five nodes.
    const value = { a: [1, 2, 3] };
    expect(isLarger(value, 4)).toBe(true);
    expect(isLarger(value, 5)).toBe(false);
    expect(isLarger("text", 0)).toBe(true);
  });
});

describe("isEmptyJson", () => {
  it("treats null, {}, [] and the empty string as nothing recorded, and anything else as a value", () => {
    for (const empty of [null, undefined, {}, [], ""]) expect(isEmptyJson(empty)).toBe(true);
    for (const value of [0, false, " ", [null], { a: undefined }]) expect(isEmptyJson(value)).toBe(false);
  });
});
