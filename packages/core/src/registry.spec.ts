import { z } from 'zod';
import type { LossPlugin } from './contracts';
import { ConfigError, PluginError } from './errors';
import { PluginRegistry } from './registry';

const schema = z.object({ scale: z.number().default(1) }).strict();
const makeLoss = (name: string): LossPlugin<{ scale: number }> => ({
  kind: 'loss',
  name,
  description: 'a test loss',
  configSchema: schema,
  create: (cfg) => () => {
    throw new Error(`scale ${cfg.scale}`);
  },
});

describe('PluginRegistry', () => {
  it('registers, gets, lists and unregisters by kind and name', () => {
    const r = new PluginRegistry();
    const a = makeLoss('alpha');
    const b = makeLoss('beta');
    r.register(b);
    r.register(a);
    expect(r.get('loss', 'alpha')).toBe(a);
    expect(r.list('loss')).toEqual(['alpha', 'beta']);
    expect(r.list('model')).toEqual([]);
    expect(r.unregister('loss', 'alpha')).toBe(true);
    expect(r.has('loss', 'alpha')).toBe(false);
  });

  it('accepts the same object twice but refuses a different plugin under a taken name', () => {
    const r = new PluginRegistry();
    const a = makeLoss('alpha');
    r.register(a);
    expect(() => r.register(a)).not.toThrow();
    expect(() => r.register(makeLoss('alpha'))).toThrow(new PluginError('a different loss plugin is already registered as "loss/alpha"'));
  });

  it('names the known plugins when a name is unknown', () => {
    const r = new PluginRegistry();
    r.register(makeLoss('alpha'));
    r.register(makeLoss('beta'));
    expect(() => r.get('loss', 'gamma')).toThrow('unknown loss plugin "gamma"; known: alpha, beta');
    expect(() => r.get('model', 'x')).toThrow('unknown model plugin "x"; known: (none registered)');
  });

  it('the same name may exist under two kinds', () => {
    const r = new PluginRegistry();
    r.register(makeLoss('shared'));
    r.register({ ...makeLoss('shared'), kind: 'eval' } as never);
    expect(r.list('loss')).toEqual(['shared']);
    expect(r.list('eval')).toEqual(['shared']);
  });

  it('validates a plugin config once, in create, naming the bad field', () => {
    const r = new PluginRegistry();
    r.register(makeLoss('alpha'));
    expect(() => r.create('loss', 'alpha', { scale: 'big' }, undefined)).toThrow(ConfigError);
    expect(() => r.create('loss', 'alpha', { scale: 'big' }, undefined)).toThrow(/loss\.config\.scale/);
    expect(() => r.create('loss', 'alpha', { scal: 2 }, undefined)).toThrow(/scal/);
    const fn = r.create('loss', 'alpha', { scale: 3 }, undefined);
    expect(() => fn({} as never)).toThrow('scale 3');
  });

  it('refuses an unknown kind', () => {
    expect(() => new PluginRegistry().register({ ...makeLoss('x'), kind: 'optimizer' } as never)).toThrow(/unknown kind "optimizer"/);
  });
});
