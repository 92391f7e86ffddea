import { assignmentTagName, registrationTagName } from '../../shared/registry/gto-tag.ts';
import { findRegistration, type Registry } from '../../shared/registry/registry.ts';
import { formatTagMessage, type TagFacts } from '../../shared/registry/tag-message.ts';
import type { Target } from './promotion-target.ts';
import type { PromotionTags } from './record-store.ts';

/** The registration (for a new version) and the stage assignment one promotion writes. */
export function tagsFor(
  registry: Registry,
  model: string,
  stage: string,
  target: Target,
  actor: string,
  reason: string | undefined,
): PromotionTags {
  const registration = findRegistration(registry, model, target.version);
  const facts: TagFacts = {
    digest: target.digest,
    ...(target.modelPath ? { 'model-path': target.modelPath } : {}),
    evidence: target.evidence,
    ...(target.evidenceSha256 ? { 'evidence-sha256': target.evidenceSha256 } : {}),
    actor,
    ...(reason ? { reason } : {}),
    version: target.version,
    ...(target.rollbackOf ? { 'rollback-of': target.rollbackOf } : {}),
  };
  const counter = (registry.models.get(model)?.highestCounter ?? 0) + 1;
  const verb = target.rollbackOf ? 'Roll back' : 'Promote';
  return {
    registration: registration
      ? undefined
      : {
          name: registrationTagName(model, target.version),
          commit: target.commit,
          message: formatTagMessage(`Register ${model} v${target.version}`, {
            ...facts,
            'rollback-of': undefined,
          }),
        },
    existingRegistration: registration ? { name: registration.tag, object: registration.object } : undefined,
    assignment: {
      name: assignmentTagName(model, stage, counter),
      commit: registration?.commit ?? target.commit,
      message: formatTagMessage(`${verb} ${model} v${target.version} to ${stage}`, facts),
    },
  };
}
