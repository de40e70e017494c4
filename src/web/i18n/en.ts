import type { Catalog } from './kk.ts';

export const en: Catalog = {
  'app.name': 'Kezek',
  'app.tagline': 'Electronic kindergarten queue',
  'error.not_found': 'The requested item was not found.',
  'error.forbidden': 'You are not allowed to do this.',
  'error.unauthenticated': 'Please sign in first.',
  'error.csrf': 'This page has expired. Reload it and try again.',
  'error.validation': 'Some data is not valid: {details}',
  'error.internal': 'Internal error. Please try again later.',
  'error.rate_limited': 'Too many requests. Please wait a little and try again.',
};
