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
 *   data_use_agreement: "DUA-2026-004 (State University, readmissions study)"
 */
export const complianceConfigSchema = z
  .object({
    site: z.string().min(1).default('this site'),
    catalog: thirdPartySchema.optional(),
    object_storage: thirdPartySchema.optional(),
    /** A PostgreSQL audit store on another host. */
    audit_store: thirdPartySchema.optional(),
    /**
     * The data use agreement (45 CFR 164.514(e)(4)) under which a limited data set is disclosed:
     * its reference. Required by the doctor when a `limited_data_set_roles` role is granted.
     */
    data_use_agreement: z.string().trim().min(1).optional(),
    /** Roles that see a limited data set (dates kept, direct identifiers removed). */
    limited_data_set_roles: z.array(z.string().min(1)).default(['limited_data_set']),
  })
  .strict();

export type ComplianceConfig = z.infer<typeof complianceConfigSchema>;
export type ThirdPartyConfig = z.infer<typeof thirdPartySchema>;
