import type { ProductCategory } from './schemas.js';

/** The certificates a farm lot may carry that vouch for where it came from. */
export const ORIGIN_CERTIFICATES = ['quarantine_certificate', 'commitment_certificate'] as const;
export type OriginCertificate = (typeof ORIGIN_CERTIFICATES)[number];

/** Where a lot's attributes carry each certificate's number. */
export const ORIGIN_CERTIFICATE_ATTRIBUTES: Record<OriginCertificate, string> = {
  quarantine_certificate: 'quarantineCertificate',
  commitment_certificate: 'commitmentCertificate',
};

const ANIMAL_CATEGORIES: readonly ProductCategory[] = ['live_animal', 'carcass', 'fresh_meat', 'cured_meat'];

/**
 * The certificates that vouch for a farm lot of the category: animals and their meat only by the
 * quarantine certificate (动物检疫合格证明), which a commitment certificate does not replace. Produce
 * (vegetables, fruit, tea, grain) is never quarantined and has no category of its own: registered as
 * `other` or `processed_food`, its commitment certificate (承诺达标合格证) counts, and so does a
 * quarantine certificate, as such a category may hold animals too; so for a lot of no registered product.
 */
export function originCertificatesOf(category: string | null): readonly OriginCertificate[] {
  return (ANIMAL_CATEGORIES as readonly string[]).includes(category ?? '') ? ['quarantine_certificate'] : ORIGIN_CERTIFICATES;
}
