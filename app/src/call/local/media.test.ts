import { describe, expect, it } from 'vitest';
import { describeMediaError } from './media.ts';

const named = (name: string, message = 'browser text') =>
  Object.assign(new Error(message), { name });

describe('describeMediaError', () => {
  it.each([
    ['NotAllowedError', 'permission denied'],
    ['SecurityError', 'permission denied'],
    ['NotFoundError', 'no suitable device found'],
    ['OverconstrainedError', 'no suitable device found'],
    ['NotReadableError', 'the device is in use or failed to start'],
    ['AbortError', 'the device is in use or failed to start'],
    ['NoMediaDevices', 'this browser cannot capture media here (a secure https page is needed)'],
  ])('a DOMException %s reads "%s"', (name, text) => {
    expect(describeMediaError(new DOMException('browser text', name))).toBe(text);
  });

  it('reads an Error carrying the same name the same way', () => {
    expect(describeMediaError(named('NotAllowedError'))).toBe('permission denied');
  });

  it('falls back to the message of an unknown error', () => {
    expect(describeMediaError(named('TypeError', 'constraints are odd'))).toBe(
      'constraints are odd',
    );
  });

  it.each([['not an error'], [undefined], [null], [42], [new Error('')]])(
    'says "unknown error" for %j',
    (err) => {
      expect(describeMediaError(err)).toBe('unknown error');
    },
  );
});
