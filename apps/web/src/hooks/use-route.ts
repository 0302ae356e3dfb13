import { useCallback, useEffect, useState } from "react";

/** The open conversation lives in the address (/c/<id>), so a reload or a second tab reopens it. */
function conversationFromPath(pathname: string): string | null {
  const match = /^\/c\/([^/]+)\/?$/.exec(pathname);
  if (!match?.[1]) return null;
  try {
    return decodeURIComponent(match[1]);
  } catch {
    return null;
  }
}

export function conversationPath(conversationId: string): string {
  return `/c/${encodeURIComponent(conversationId)}`;
}

export function useRoute(): [string | null, (conversationId: string | null) => void] {
  const [current, setCurrent] = useState(() => conversationFromPath(location.pathname));
  useEffect(() => {
    const onPop = () => setCurrent(conversationFromPath(location.pathname));
    window.addEventListener("popstate", onPop);
    return () => window.removeEventListener("popstate", onPop);
  }, []);
  const navigate = useCallback((conversationId: string | null) => {
    const path = conversationId === null ? "/" : conversationPath(conversationId);
    if (location.pathname !== path) history.pushState(null, "", path);
    setCurrent(conversationId);
  }, []);
  return [current, navigate];
}
