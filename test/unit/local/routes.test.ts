import { expect } from 'chai';
import type { Route } from '../../../local/gateway/load';
import { matchRoute } from '../../../local/gateway/server';

const route = (method: string, path: string): Route => ({ method, path, definition: {} });
const routes = [route('POST', '/notes'), route('GET', '/notes'), route('GET', '/notes/{noteId}'), route('ANY', '/files/{proxy+}'), route('GET', '/notes/latest')];
const match = (method: string, path: string) => {
  const found = matchRoute(routes, method, path);
  return found && { path: found.route.path, method: found.route.method, params: found.pathParams };
};

describe('local gateway route matching', function () {
  it('matches literal paths by method', function () {
    expect(match('POST', '/notes')).to.deep.equal({ path: '/notes', method: 'POST', params: {} });
    expect(match('DELETE', '/notes')).to.equal(undefined);
  });

  it('binds path parameters, and prefers a literal segment over a parameter', function () {
    expect(match('GET', '/notes/abc%20d')).to.deep.equal({ path: '/notes/{noteId}', method: 'GET', params: { noteId: 'abc d' } });
    expect(match('GET', '/notes/latest')?.path).to.equal('/notes/latest');
  });

  it('matches greedy paths with ANY, whatever else was tried first', function () {
    expect(match('PUT', '/files/a/b%2Bc.csv')).to.deep.equal({ path: '/files/{proxy+}', method: 'ANY', params: { proxy: 'a/b+c.csv' } });
    expect(match('GET', '/files')).to.equal(undefined);
    expect(match('GET', '/notes/a/b')).to.equal(undefined);
  });
});
