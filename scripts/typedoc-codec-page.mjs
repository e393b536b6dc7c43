// A TypeDoc plugin (typedoc.json "plugin") that keeps the wire level off the application pages.
// `@courier/core`, `@courier/node` and `@courier/browser` export the codec's names too (nothing is
// removed from the packages), but their API pages list only the client: every packet type, the
// encoder and decoder and the properties of each packet are documented once, on the
// `@courier/core/codec` page, and no longer repeated as about 80 "References" on each page.
// Kept on the application pages: the codec names an application writes in its own code.
import { Converter, ReflectionKind } from 'typedoc';

const CODEC_MODULE = '@courier/core/codec';

/** The codec's names that the client API takes or throws, by name: they stay on every page. */
export const CLIENT_CODEC_NAMES = new Set([
  'QoS',
  'ProtocolVersion',
  'PublishProperties',
  'SubscribeProperties',
  'UnsubscribeProperties',
  'ConnectProperties',
  'WillProperties',
  'DisconnectProperties',
  'ReasonCode',
  'reasonCodeName',
  'describeReasonCode',
  'DecodeError',
  'EncodeError',
]);

/** @param {import('typedoc').Application} app */
export function load(app) {
  app.converter.on(Converter.EVENT_RESOLVE_BEGIN, (context) => {
    const project = context.project;
    const codec = project.children?.find((module) => module.name === CODEC_MODULE);
    if (codec === undefined) throw new Error(`typedoc-codec-page: no module named ${CODEC_MODULE} (typedoc.json entryPoints)`);
    const declared = new Set(codec.children?.map((child) => child.name));
    const missing = [...CLIENT_CODEC_NAMES].filter((name) => !declared.has(name));
    if (missing.length > 0) throw new Error(`typedoc-codec-page: ${CODEC_MODULE} declares no ${missing.join(', ')}`);
    for (const module of project.children ?? []) {
      if (module === codec) continue;
      for (const child of [...(module.children ?? [])]) {
        if (!child.kindOf(ReflectionKind.Reference)) continue;
        const target = child.getTargetReflectionDeep();
        if (target.parent === codec && !CLIENT_CODEC_NAMES.has(target.name)) project.removeReflection(child);
      }
    }
  });
}
