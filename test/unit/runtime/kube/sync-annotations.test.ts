import { describe, expect, it } from 'vitest';
import { syncRole } from '../../../../runtime/kube/sync-annotations.js';

describe('syncRole: Argo CD and Helm sync annotations', () => {
  it('an object without annotations is an ordinary object of wave 0', () => {
    expect(syncRole(undefined)).toEqual({ kind: 'object', wave: 0 });
    expect(syncRole({ 'argocd.argoproj.io/sync-wave': '-2' })).toEqual({ kind: 'object', wave: -2 });
  });

  it('Argo CD hooks: a comma list of phases, BeforeHookCreation when no delete policy is given', () => {
    expect(syncRole({ 'argocd.argoproj.io/hook': 'PreSync, SyncFail', 'argocd.argoproj.io/sync-wave': '3' })).toEqual({ kind: 'hook', phases: ['PreSync', 'SyncFail'], deletePolicies: ['BeforeHookCreation'], wave: 3 });
    expect(syncRole({ 'argocd.argoproj.io/hook': 'PostSync', 'argocd.argoproj.io/hook-delete-policy': 'HookSucceeded,HookFailed' })).toMatchObject({ deletePolicies: ['HookSucceeded', 'HookFailed'] });
    expect(syncRole({ 'argocd.argoproj.io/hook': 'Skip' })).toEqual({ kind: 'skip' });
  });

  it('Helm hooks as Argo CD maps them: pre-* → PreSync, post-* → PostSync, weight → wave, crd-install → an object, test → skipped', () => {
    expect(syncRole({ 'helm.sh/hook': 'pre-install,pre-upgrade', 'helm.sh/hook-weight': '-5', 'helm.sh/hook-delete-policy': 'hook-succeeded' })).toEqual({ kind: 'hook', phases: ['PreSync'], deletePolicies: ['HookSucceeded'], wave: -5 });
    expect(syncRole({ 'helm.sh/hook': 'post-install' })).toMatchObject({ kind: 'hook', phases: ['PostSync'] });
    expect(syncRole({ 'helm.sh/hook': 'crd-install' })).toEqual({ kind: 'object', wave: 0 });
    expect(syncRole({ 'helm.sh/hook': 'test' })).toEqual({ kind: 'skip' });
    // Argo CD's own annotation wins over Helm's.
    expect(syncRole({ 'helm.sh/hook': 'pre-install', 'argocd.argoproj.io/hook': 'PostSync' })).toMatchObject({ phases: ['PostSync'] });
  });

  it('a value Argo CD would not accept is an error naming the annotation', () => {
    expect(() => syncRole({ 'argocd.argoproj.io/hook': 'PreDeploy' })).toThrow('annotation argocd.argoproj.io/hook: "PreDeploy" is not a hook baton runs; use PreSync, Sync, PostSync, SyncFail, Skip');
    expect(() => syncRole({ 'argocd.argoproj.io/hook': 'PostDelete' })).toThrow('(deletion hooks are not supported)');
    expect(() => syncRole({ 'argocd.argoproj.io/sync-wave': 'first' })).toThrow('annotation argocd.argoproj.io/sync-wave: "first" is not an integer');
    expect(() => syncRole({ 'argocd.argoproj.io/hook': 'PreSync', 'argocd.argoproj.io/hook-delete-policy': 'Always' })).toThrow('"Always" is not a delete policy');
    expect(() => syncRole({ 'helm.sh/hook': 'pre-installs' })).toThrow('annotation helm.sh/hook: "pre-installs" is not a Helm hook');
  });
});
