import { clsx } from "clsx";
import type { ComponentPropsWithoutRef, ReactNode } from "react";

export const TH = "px-4 py-2.5 text-left text-xs font-medium whitespace-nowrap text-zinc-500 dark:text-zinc-400";
export const TD = "px-4 py-3 text-sm whitespace-nowrap text-zinc-700 dark:text-zinc-300";

/**
 * Below `sm`, a stacked table shows each row as a card: its cells wrap side by side, each under the label in its
 * `data-label` (the column's name), so a phone reads the row without scrolling sideways.
 */
const STACKED = clsx(
  "max-sm:block max-sm:[&>thead]:hidden max-sm:[&>tbody]:block",
  "max-sm:[&_tr]:flex max-sm:[&_tr]:flex-wrap max-sm:[&_tr]:items-end max-sm:[&_tr]:gap-x-5 max-sm:[&_tr]:gap-y-2 max-sm:[&_tr]:px-4 max-sm:[&_tr]:py-3",
  "max-sm:[&_td]:p-0 max-sm:[&_td]:text-left max-sm:[&_td]:whitespace-normal max-sm:[&_td]:[overflow-wrap:anywhere] max-sm:[&_td:first-child]:basis-full",
  "max-sm:[&_td]:before:block max-sm:[&_td]:before:text-xs max-sm:[&_td]:before:font-medium max-sm:[&_td]:before:text-zinc-500 max-sm:[&_td]:before:content-[attr(data-label)] dark:max-sm:[&_td]:before:text-zinc-400",
);

interface DataTableProps extends ComponentPropsWithoutRef<"table"> {
  /** Column headers; an empty string leaves a header cell for an actions column. */
  columns: readonly string[];
  /** Reflow into one card per row on phones; give each cell its column's name as `data-label`. */
  stacked?: boolean;
  children: ReactNode;
}

/**
 * The bordered card table used across the dashboard (see the System page's instances). A table wider than the
 * screen scrolls inside its card, with a shadow on the side that has more, and takes keyboard focus to scroll.
 */
export function DataTable({ columns, stacked = false, children, className, ...rest }: DataTableProps) {
  return (
    // `relative`: the header's screen-reader-only text is positioned, and must be clipped by this scroller too.
    <div
      tabIndex={0}
      className="scroll-shadow-x relative overflow-x-auto rounded-lg border border-zinc-200 bg-white dark:border-zinc-800 dark:bg-zinc-900"
    >
      <table
        {...rest}
        className={clsx("min-w-full divide-y divide-zinc-200 dark:divide-zinc-800", stacked && STACKED, className)}
      >
        <thead className="bg-zinc-50/80 dark:bg-zinc-900">
          <tr>
            {columns.map((column, i) => (
              <th key={column || `col-${i}`} scope="col" className={TH}>
                {column || <span className="sr-only">Actions</span>}
              </th>
            ))}
          </tr>
        </thead>
        <tbody className="divide-y divide-zinc-100 dark:divide-zinc-800">{children}</tbody>
      </table>
    </div>
  );
}

/** A table's "nothing here" line, in the same dashed style as the System page. */
export function EmptyRow({ children }: { children: ReactNode }) {
  return (
    <p className="rounded-lg border border-dashed border-zinc-300 px-4 py-6 text-center text-sm text-zinc-500 dark:border-zinc-700 dark:text-zinc-400">
      {children}
    </p>
  );
}
