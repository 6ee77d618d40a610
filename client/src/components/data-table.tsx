import { clsx } from "clsx";
import type { ComponentPropsWithoutRef, ReactNode } from "react";

export const TH = "px-4 py-2.5 text-left text-xs font-medium whitespace-nowrap text-zinc-500 dark:text-zinc-400";
export const TD = "px-4 py-3 text-sm whitespace-nowrap text-zinc-700 dark:text-zinc-300";

interface DataTableProps extends ComponentPropsWithoutRef<"table"> {
  /** Column headers; an empty string leaves a header cell for an actions column. */
  columns: readonly string[];
  children: ReactNode;
}

/** The bordered card table used across the dashboard (see the System page's instances). */
export function DataTable({ columns, children, className, ...rest }: DataTableProps) {
  return (
    <div className="overflow-x-auto rounded-lg border border-zinc-200 bg-white shadow-xs dark:border-zinc-800 dark:bg-zinc-900">
      <table {...rest} className={clsx("min-w-full divide-y divide-zinc-200 dark:divide-zinc-800", className)}>
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
