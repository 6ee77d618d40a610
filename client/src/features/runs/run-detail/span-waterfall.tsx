import { useVirtualizer } from "@tanstack/react-virtual";
import { clsx } from "clsx";
import { ChevronRight, CircleAlert, ListTree } from "lucide-react";
import { memo, useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState, type KeyboardEvent } from "react";
import { formatMs } from "../../../lib/run-format.ts";
import { ERROR_BAR, KIND_STYLES } from "../../../components/span-kind.ts";
import type { SpanNode, SpanRow } from "./span-tree.ts";
import { timeTicks } from "./waterfall-axis.ts";

const ROW_HEIGHT = 28;
const HEADER_HEIGHT = 32;
const INDENT = 14;
/** Deeper spans stop moving right, so a pathological chain still leaves room for names. */
const MAX_INDENT_DEPTH = 16;
/** Names and timeline side by side; on a phone the names give up width so the timeline keeps some. */
const GRID = "grid grid-cols-[minmax(112px,4fr)_minmax(0,5fr)] sm:grid-cols-[minmax(200px,5fr)_minmax(0,7fr)]";

interface Scale {
  t0: number;
  total: number;
  /** The timeline column's width in px, to place duration labels where they fit. */
  widthPx: number;
}

/** Room a duration label needs beside its bar ("12.5 s" and its gap). */
const LABEL_PX = 48;

interface RowProps {
  node: SpanNode;
  expanded: boolean;
  selected: boolean;
  top: number;
  scale: Scale;
  /** Where a running span's bar ends (now, or the run's end); 0 for finished spans so their rows stay memoised. */
  runningEnd: number;
  onSelect: (id: string) => void;
  onToggle: (id: string) => void;
}

const WaterfallRow = memo(function WaterfallRow({
  node,
  expanded,
  selected,
  top,
  scale,
  runningEnd,
  onSelect,
  onToggle,
}: RowProps) {
  const { span } = node;
  const kind = KIND_STYLES[span.kind] ?? KIND_STYLES.custom;
  const Icon = kind.icon;
  const running = span.status === "running";
  const end = node.end ?? Math.max(runningEnd, node.start);
  const left = ((node.start - scale.t0) / scale.total) * 100;
  const width = ((end - node.start) / scale.total) * 100;
  // The duration sits right of the bar, or left of it, or inside a long bar; on an axis too narrow for it (a phone),
  // it is left to the span panel rather than drawn over its neighbours.
  const leftPx = (left / 100) * scale.widthPx;
  const widthPx = (width / 100) * scale.widthPx;
  const labelAt =
    scale.widthPx - leftPx - widthPx >= LABEL_PX
      ? "right"
      : leftPx >= LABEL_PX
        ? "left"
        : widthPx >= LABEL_PX
          ? "inside"
          : null;
  const duration = formatMs(end - node.start);
  const hasChildren = node.children.length > 0;
  return (
    <div
      role="treeitem"
      id={`span-row-${span.id}`}
      aria-level={node.depth + 1}
      aria-expanded={hasChildren ? expanded : undefined}
      aria-selected={selected}
      data-testid="span-row"
      data-span-id={span.id}
      data-status={span.status}
      data-kind={span.kind}
      onClick={() => onSelect(span.id)}
      style={{ transform: `translateY(${top}px)`, height: ROW_HEIGHT }}
      className={clsx(
        GRID,
        "absolute inset-x-0 top-0 cursor-pointer items-center text-[13px]",
        selected
          ? "bg-indigo-50 shadow-[inset_2px_0_0_var(--color-indigo-500)] dark:bg-indigo-500/15"
          : "hover:bg-zinc-50 dark:hover:bg-zinc-800/40",
      )}
    >
      <div
        className="flex min-w-0 items-center gap-1 pr-2"
        style={{ paddingLeft: 8 + Math.min(node.depth, MAX_INDENT_DEPTH) * INDENT }}
      >
        {hasChildren ? (
          <button
            type="button"
            tabIndex={-1}
            aria-label={expanded ? "Collapse" : "Expand"}
            onClick={(e) => {
              e.stopPropagation();
              onToggle(span.id);
            }}
            className="-ml-0.5 rounded p-0.5 text-zinc-400 hover:bg-zinc-200/70 hover:text-zinc-700 dark:hover:bg-zinc-700 dark:hover:text-zinc-200"
          >
            <ChevronRight
              aria-hidden="true"
              className={clsx("size-3.5 transition-transform", expanded && "rotate-90")}
            />
          </button>
        ) : (
          <span className="w-[18px] shrink-0" />
        )}
        <Icon aria-hidden="true" className={clsx("size-3.5 shrink-0", kind.text)} />
        <span
          className={clsx(
            "min-w-0 truncate",
            span.status === "error" ? "text-rose-700 dark:text-rose-400" : "text-zinc-800 dark:text-zinc-200",
          )}
          title={span.name}
        >
          {span.name}
        </span>
        {span.model && (
          <span className="hidden min-w-0 shrink truncate text-[11px] text-zinc-500 2xl:inline dark:text-zinc-400">
            {span.model}
          </span>
        )}
        {span.status === "error" && <CircleAlert aria-label="Error" className="size-3.5 shrink-0 text-rose-500" />}
        {node.orphan && (
          <span
            className="shrink-0 text-[10px] text-zinc-400"
            title="Its parent span has not arrived yet; shown at the top level until it does"
          >
            ↰
          </span>
        )}
      </div>
      <div className="relative h-full min-w-0 overflow-hidden border-l border-zinc-100 dark:border-zinc-800/80">
        <div
          className={clsx(
            "absolute top-1/2 h-3 -translate-y-1/2 rounded-[3px]",
            span.status === "error" ? ERROR_BAR : kind.bar,
            running && "echos-running opacity-90",
          )}
          style={{ left: `${left}%`, width: `max(${width}%, 2px)` }}
          data-testid={running ? "running-bar" : undefined}
        />
        {labelAt && (
          <span
            className={clsx(
              "pointer-events-none absolute top-1/2 -translate-y-1/2 text-[11px] whitespace-nowrap tabular-nums",
              labelAt === "inside"
                ? "rounded-sm bg-black/60 px-1 leading-4 font-medium text-white"
                : running
                  ? "text-sky-700 dark:text-sky-300"
                  : "text-zinc-600 dark:text-zinc-400",
            )}
            style={
              labelAt === "right"
                ? { left: `calc(${left + width}% + 6px)` }
                : labelAt === "left"
                  ? { right: `calc(${100 - left}% + 6px)` }
                  : { left: `calc(${left}% + 6px)` }
            }
          >
            {duration}
          </span>
        )}
      </div>
    </div>
  );
});

interface SpanWaterfallProps {
  rows: readonly SpanRow[];
  /** The time axis: the run's start and the latest end (now while it runs). */
  t0: number;
  t1: number;
  runningEnd: number;
  selectedId: string | null;
  onSelect: (id: string | null) => void;
  onToggle: (id: string, expanded?: boolean) => void;
  className?: string;
}

export function SpanWaterfall({
  rows,
  t0,
  t1,
  runningEnd,
  selectedId,
  onSelect,
  onToggle,
  className,
}: SpanWaterfallProps) {
  const scrollRef = useRef<HTMLDivElement>(null);
  // Stable between renders: a new key function makes the virtualizer re-measure all 10,000 rows.
  const getItemKey = useCallback((i: number) => rows[i]?.node.span.id ?? i, [rows]);
  // The app does not use the React Compiler; the virtualizer's mutable instance is fine with plain React.
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 16,
    scrollMargin: HEADER_HEIGHT,
    getItemKey,
  });
  // The axis gets as many ticks as its width holds apart; it is measured, as it changes with the page.
  const axisRef = useRef<HTMLDivElement>(null);
  const [axisWidth, setAxisWidth] = useState(400);
  useLayoutEffect(() => {
    const el = axisRef.current;
    if (!el) return;
    setAxisWidth(el.clientWidth);
    const observer = new ResizeObserver(([entry]) => entry && setAxisWidth(entry.contentRect.width));
    observer.observe(el);
    return () => observer.disconnect();
  }, []);
  const scale = useMemo<Scale>(() => ({ t0, total: Math.max(1, t1 - t0), widthPx: axisWidth }), [t0, t1, axisWidth]);
  const ticks = useMemo(() => timeTicks(scale.total, axisWidth), [scale.total, axisWidth]);
  const selectedIndex = selectedId === null ? -1 : rows.findIndex((r) => r.node.span.id === selectedId);

  // Time to first render of the tree, for the performance budget (read by the 10,000-span browser test).
  const painted = useRef(false);
  useLayoutEffect(() => {
    if (painted.current || rows.length === 0) return;
    painted.current = true;
    performance.mark("echos:span-tree-painted");
    try {
      performance.measure("echos:run-detail-render", "echos:run-detail-start", "echos:span-tree-painted");
    } catch {
      // The start mark is missing when the page was not opened through RunDetailPage; nothing to measure then.
    }
  }, [rows.length]);

  // The selected row is kept in view (a span named in the URL, a shared link, is centred once its row exists). Rows
  // have a fixed height, so this is arithmetic: no scroll call, and no forced layout, when the row is already shown.
  const scrolledTo = useRef<string | null>(null);
  useEffect(() => {
    const el = scrollRef.current;
    if (!el || selectedIndex < 0 || scrolledTo.current === selectedId) return;
    const first = scrolledTo.current === null;
    scrolledTo.current = selectedId;
    const top = HEADER_HEIGHT + selectedIndex * ROW_HEIGHT;
    // The virtualizer's own record of the scroll position and viewport: reading the element's would force a layout
    // on every key press.
    const scrollTop = virtualizer.scrollOffset ?? el.scrollTop;
    const clientHeight = virtualizer.scrollRect?.height ?? el.clientHeight;
    if (first) el.scrollTop = top - clientHeight / 2;
    else if (top < scrollTop + HEADER_HEIGHT) el.scrollTop = top - HEADER_HEIGHT;
    else if (top + ROW_HEIGHT > scrollTop + clientHeight) el.scrollTop = top + ROW_HEIGHT - clientHeight;
  }, [selectedIndex, selectedId, virtualizer]);

  function move(index: number) {
    const row = rows[Math.max(0, Math.min(rows.length - 1, index))];
    if (row) onSelect(row.node.span.id);
  }

  function onKeyDown(e: KeyboardEvent<HTMLDivElement>) {
    if (rows.length === 0) return;
    const current = rows[selectedIndex];
    const page = Math.max(1, Math.floor((scrollRef.current?.clientHeight ?? 400) / ROW_HEIGHT) - 2);
    switch (e.key) {
      case "ArrowDown":
        move(selectedIndex + 1);
        break;
      case "ArrowUp":
        move(selectedIndex < 0 ? 0 : selectedIndex - 1);
        break;
      case "PageDown":
        move(selectedIndex + page);
        break;
      case "PageUp":
        move(selectedIndex - page);
        break;
      case "Home":
        move(0);
        break;
      case "End":
        move(rows.length - 1);
        break;
      case "ArrowRight":
        if (!current) return;
        if (current.node.children.length > 0 && !current.expanded) onToggle(current.node.span.id, true);
        else if (current.expanded) move(selectedIndex + 1);
        break;
      case "ArrowLeft":
        if (!current) return;
        if (current.expanded) onToggle(current.node.span.id, false);
        else if (current.node.parent) onSelect(current.node.parent.span.id);
        break;
      case "Enter":
      case " ":
        if (current && current.node.children.length > 0) onToggle(current.node.span.id);
        break;
      case "Escape":
        if (selectedId === null) return;
        onSelect(null);
        break;
      default:
        return;
    }
    e.preventDefault();
  }

  const items = virtualizer.getVirtualItems();
  return (
    <div
      className={clsx(
        "flex min-h-0 flex-col overflow-hidden rounded-lg border border-zinc-200 bg-white shadow-xs dark:border-zinc-800 dark:bg-zinc-900",
        className,
      )}
    >
      <div
        ref={scrollRef}
        tabIndex={0}
        role="tree"
        aria-label="Spans"
        aria-activedescendant={selectedIndex >= 0 ? `span-row-${selectedId}` : undefined}
        onKeyDown={onKeyDown}
        data-testid="span-tree"
        data-rows={rows.length}
        className="relative min-h-0 flex-1 overflow-auto focus-visible:outline-offset-[-2px]"
      >
        <div
          className={clsx(
            GRID,
            "sticky top-0 z-10 border-b border-zinc-200 bg-zinc-50 text-xs font-medium text-zinc-500 dark:border-zinc-800 dark:bg-zinc-900 dark:text-zinc-400",
          )}
          style={{ height: HEADER_HEIGHT }}
        >
          <div className="flex items-center gap-1.5 px-3">
            <ListTree aria-hidden="true" className="size-3.5" />
            Spans
          </div>
          <div
            ref={axisRef}
            data-testid="waterfall-axis"
            className="relative overflow-hidden border-l border-zinc-200 dark:border-zinc-800"
          >
            {ticks.map((tick) => (
              <span
                key={tick.ms}
                className={clsx(
                  "absolute top-1/2 -translate-y-1/2 text-[11px] font-normal whitespace-nowrap tabular-nums",
                  tick.ms > 0 && "-translate-x-1/2",
                )}
                style={tick.ms === 0 ? { left: 6 } : { left: `${tick.at * 100}%` }}
              >
                {tick.label}
              </span>
            ))}
          </div>
        </div>
        <div className="relative" style={{ height: virtualizer.getTotalSize() }}>
          {/* A line down the timeline column at every tick. */}
          <div aria-hidden="true" className={clsx(GRID, "pointer-events-none absolute inset-0")}>
            <div />
            <div className="relative">
              {ticks.slice(1).map((tick) => (
                <div
                  key={tick.ms}
                  className="absolute inset-y-0 w-px bg-zinc-100 dark:bg-zinc-800/70"
                  style={{ left: `${tick.at * 100}%` }}
                />
              ))}
            </div>
          </div>
          {items.map((item) => {
            const row = rows[item.index]!;
            return (
              <WaterfallRow
                key={item.key}
                node={row.node}
                expanded={row.expanded}
                selected={row.node.span.id === selectedId}
                top={item.start - HEADER_HEIGHT}
                scale={scale}
                runningEnd={row.node.end === null ? runningEnd : 0}
                onSelect={onSelect}
                onToggle={onToggle}
              />
            );
          })}
        </div>
      </div>
    </div>
  );
}
