import type { ReactNode } from "react";

/**
 * Small line icons, for buttons whose text is their aria-label. This is the frame they share:
 * 14 px, drawn in the text's colour, hidden from screen readers.
 */
function LineIcon({ children }: { children: ReactNode }) {
  return (
    <svg
      aria-hidden="true"
      viewBox="0 0 16 16"
      width="14"
      height="14"
      fill="none"
      stroke="currentColor"
      strokeWidth="1.5"
    >
      {children}
    </svg>
  );
}

export function PencilIcon() {
  return (
    <LineIcon>
      <path d="M11 2.5l2.5 2.5L6 12.5H3.5V10z" strokeLinejoin="round" />
    </LineIcon>
  );
}

export function TrashIcon() {
  return (
    <LineIcon>
      <path d="M2.5 4.5h11M6 4.5V3h4v1.5M4 4.5l.7 9h6.6l.7-9" strokeLinejoin="round" />
    </LineIcon>
  );
}
