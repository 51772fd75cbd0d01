import { z } from 'zod';
import { baaSchema } from './llm-config.ts';

/** A service outside the tenant that holds or processes PHI for us, with its paperwork. */
const thirdPartySchema = z
  .object({
    /** The provider's name, for the doctor's evidence (e.g. "AWS"). */
    provider: z.string().min(1).optional(),
    region: z.string().min(1).optional(),
    baa: baaSchema.optional(),
    /** Run by the organisation itself: no third party in the path. */
    on_prem: z.boolean().optional(),
  })
  .strict();

/**
 * analyst.yaml → `compliance`: facts the compliance doctor cannot read from the rest of the file.
 * `site` names where local things run; `catalog`, `object_storage` and `audit_store` describe a
 * remote catalog host, S3 bucket or audit database (only needed when they are not on this host).
 *
 * @example
 * compliance:
 *   site: "Springfield General data centre (us-east)"
 *   object_storage: { provider: AWS, region: us-east-1,
 *                     baa: { holder: AWS, reference: AWS-BAA-2024, signed: 2024-03-01 } }
 */
export const complianceConfigSchema = z
  .object({
    site: z.string().min(1).default('this site'),
    catalog: thirdPartySchema.optional(),
    object_storage: thirdPartySchema.optional(),
    /** A PostgreSQL audit store on another host. */
    audit_store: thirdPartySchema.optional(),
  })
  .strict();

export type ComplianceConfig = z.infer<typeof complianceConfigSchema>;
export type ThirdPartyConfig = z.infer<typeof thirdPartySchema>;
