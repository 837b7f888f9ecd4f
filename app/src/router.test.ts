import { describe, expect, it } from 'vitest';
import { joinPathFromInput, parseRoute, roomIdFromInput } from './router.ts';
import type { Route } from './router.ts';

const ID = 'AbCdEfGhIjKl-_0123456'; // 22 base64url characters, like a real room id

describe('parseRoute', () => {
  it.each<[string, Route]>([
    ['/', { name: 'home' }],
    ['', { name: 'home' }],
    [`/r/${ID}`, { name: 'room', roomId: ID }],
    [`/r/${ID}/`, { name: 'room', roomId: ID }],
    ['/r/abc', { name: 'room', roomId: 'abc' }],
    [`/watch/${ID}`, { name: 'watch', broadcastId: ID }],
    [`/watch/${ID}/`, { name: 'watch', broadcastId: ID }],
    [`/r/${ID}/recordings`, { name: 'recordings', roomId: ID }],
    [`/r/${ID}/recordings/`, { name: 'recordings', roomId: ID }],
    [`/r/${ID}/other`, { name: 'home' }],
    [`/t/${ID}`, { name: 'team', teamId: ID }],
    [`/t/${ID}/`, { name: 'team', teamId: ID }],
    ['/t/', { name: 'home' }],
    [`/t/${ID}/extra`, { name: 'home' }],
    ['/r/', { name: 'home' }],
    ['/watch/', { name: 'home' }],
    [`/r/${ID}/extra`, { name: 'home' }],
    ['/r/has%20space', { name: 'home' }],
    [`/R/${ID}`, { name: 'home' }],
    [`/rooms/${ID}`, { name: 'home' }],
    ['/about', { name: 'home' }],
    ['/signin', { name: 'signin' }],
    ['/signup/', { name: 'signup' }],
    ['/signin/x', { name: 'home' }],
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
