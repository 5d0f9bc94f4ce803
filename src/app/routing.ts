import { APP_BASE_URL } from 'shared/constants';

/** Absolute URL of an app page, for links; routes inside the app root stay relative. */
export function prefixRoute(route: string): string {
  return `${APP_BASE_URL}/${route}`;
}
