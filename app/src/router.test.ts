import { describe, expect, it } from 'vitest';
import { joinPathFromInput, parseRoute, roomIdFromInput } from './router.ts';
import type { Route } from './router.ts';

const ID = 'AbCdEfGhIjKl-_01234567'; // 22 base64url characters, like a real room id
const PAGE: Route = { name: 'notFound', what: 'page' };
const MEETING: Route = { name: 'notFound', what: 'meeting' };

describe('parseRoute', () => {
  it.each<[string, Route]>([
    ['/', { name: 'home' }],
    ['', { name: 'home' }],
    ['/index.html', { name: 'home' }],
    [`/r/${ID}`, { name: 'room', roomId: ID }],
    [`/r/${ID}/`, { name: 'room', roomId: ID }],
    [`/watch/${ID}`, { name: 'watch', broadcastId: ID }],
    [`/watch/${ID}/`, { name: 'watch', broadcastId: ID }],
    [`/r/${ID}/recordings`, { name: 'recordings', roomId: ID }],
    [`/r/${ID}/recordings/`, { name: 'recordings', roomId: ID }],
    [`/r/${ID}/meetings`, { name: 'meetings', roomId: ID }],
    [`/r/${ID}/meetings/`, { name: 'meetings', roomId: ID }],
    [`/t/${ID}`, { name: 'team', teamId: ID }],
    [`/t/${ID}/`, { name: 'team', teamId: ID }],
    ['/signin', { name: 'signin' }],
    ['/signup/', { name: 'signup' }],
    ['/forgot-password', { name: 'forgotPassword' }],
    ['/reset-password', { name: 'resetPassword' }],
    // A room link whose id cannot be a room's: a meeting that does not exist, server unasked.
    ['/r/abc', MEETING],
    [`/r/${ID}x`, MEETING],
    [`/r/${ID.slice(1)}`, MEETING],
    ['/r/has%20space', MEETING],
    ['/r/', MEETING],
    [`/r/${ID.slice(1)}/recordings`, MEETING],
    [`/r/${ID.slice(1)}/meetings`, MEETING],
    [`/r/${ID.slice(0, -1)}.`, MEETING],
    // Anything else the app does not serve: a page that does not exist.
    [`/r/${ID}/other`, PAGE],
    [`/r/${ID}/extra`, PAGE],
    ['/t/', PAGE],
    ['/t/abc', PAGE],
    [`/t/${ID}/extra`, PAGE],
    ['/watch/', PAGE],
    ['/watch/abc', PAGE],
    [`/R/${ID}`, PAGE],
    [`/rooms/${ID}`, PAGE],
    ['/about', PAGE],
    ['/signin/x', PAGE],
    ['//', PAGE],
  ])('%j is %j', (path, route) => {
    expect(parseRoute(path)).toEqual(route);
  });
});

describe('roomIdFromInput', () => {
  it.each<[string, string | null]>([
    [`https://parley.example/r/${ID}`, ID],
    [`http://localhost:8080/r/${ID}/`, ID],
    [`https://parley.example/watch/${ID}`, ID],
    [`https://parley.example/r/${ID}?name=Ada#x`, ID],
    [`  https://parley.example/r/${ID}  `, ID],
    [`/r/${ID}`, ID],
    [`/watch/${ID}`, ID],
    [ID, ID],
    [`  ${ID}\n`, ID],
    ['abcdefgh', 'abcdefgh'],
    ['abcdefg', null],
    ['a'.repeat(65), null],
    ['', null],
    ['   ', null],
    ['hello world', null],
    ['https://parley.example/', null],
    [`https://parley.example/about/${ID}`, null],
  ])('%j gives %j', (input, id) => {
    expect(roomIdFromInput(input)).toBe(id);
  });
});

describe('joinPathFromInput', () => {
  it.each<[string, string | null]>([
    [`https://parley.example/t/${ID}`, `/t/${ID}`],
    [`  /t/${ID}/ `, `/t/${ID}`],
    [`https://parley.example/r/${ID}`, `/r/${ID}`],
    [ID, `/r/${ID}`],
    ['https://parley.example/t/', null],
    ['hello world', null],
  ])('%j leads to %j', (input, path) => {
    expect(joinPathFromInput(input)).toBe(path);
  });
});
