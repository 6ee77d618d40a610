/** Shared classes for the sidebar's dropdown menus (Radix DropdownMenu parts). */
export const MENU_CONTENT =
  "z-50 min-w-60 rounded-lg bg-white p-1 text-sm shadow-lg ring-1 ring-zinc-900/10 dark:bg-zinc-900 dark:ring-white/10";
export const MENU_ITEM =
  "flex cursor-default items-center gap-2 rounded-md px-2 py-1.5 text-zinc-700 outline-none select-none data-[highlighted]:bg-zinc-100 data-[highlighted]:text-zinc-900 data-[disabled]:opacity-50 dark:text-zinc-300 dark:data-[highlighted]:bg-zinc-800 dark:data-[highlighted]:text-zinc-100";
export const MENU_LABEL =
  "px-2 pt-1.5 pb-1 text-[11px] font-semibold tracking-wider text-zinc-500 uppercase dark:text-zinc-400";
export const MENU_SEPARATOR = "my-1 h-px bg-zinc-200 dark:bg-zinc-800";
export const MENU_ICON = "size-4 shrink-0 text-zinc-500 dark:text-zinc-400";
