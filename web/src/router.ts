import { useEffect, useState } from 'react'

/** The dashboard's pages: one path segment each (the gateway serves exactly these), details in the query. */
export const PAGES = ['inbox', 'costs', 'templates', 'health'] as const
export type PageName = (typeof PAGES)[number]

export interface Location {
  readonly page: PageName
  readonly query: URLSearchParams
}

function current(): Location {
  const segment = window.location.pathname.replace(/^\/+|\/+$/g, '')
  const page = (PAGES as readonly string[]).includes(segment) ? (segment as PageName) : 'inbox'
  return { page, query: new URLSearchParams(window.location.search) }
}

export function navigate(path: string): void {
  window.history.pushState(null, '', path)
  window.dispatchEvent(new PopStateEvent('popstate'))
}

export function useLocation(): Location {
  const [location, setLocation] = useState(current)
  useEffect(() => {
    const update = () => {
      setLocation(current())
    }
    window.addEventListener('popstate', update)
    return () => {
      window.removeEventListener('popstate', update)
    }
  }, [])
  return location
}
