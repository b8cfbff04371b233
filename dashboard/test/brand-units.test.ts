import { describe, expect, it } from 'vitest';
import { bodyOf, draftOf, fieldErrors, type PartnerBrand } from '../lib/partner-brand';

describe("the hub's brand refusals, per field", () => {
  it('puts the contrast refusal at its colour', () => {
    const r = fieldErrors('primaryColor #ffff00 against the light background #f8fafc has contrast 1.02:1, below 3:1');
    expect(r).toEqual({
      fields: { primaryColor: '#ffff00 against the light background #f8fafc has contrast 1.02:1, below 3:1' },
      form: null,
    });
  });

  it('splits schema errors by their path', () => {
    const r = fieldErrors(
      'body: /supportEmail an e-mail address, e.g. support@example.com; /productName Too big: expected string to have <=60 characters',
    );
    expect(r.fields).toEqual({
      supportEmail: 'an e-mail address, e.g. support@example.com',
      productName: 'Too big: expected string to have <=60 characters',
    });
    expect(r.form).toBeNull();
  });

  it('keeps what names no field for the form', () => {
    expect(fieldErrors('Cannot reach the hub.')).toEqual({ fields: {}, form: 'Cannot reach the hub.' });
  });
});

describe('the brand body', () => {
  it('sends empty optional lines as null and trims', () => {
    const brand = {
      partnerId: 'ptn_a',
      productName: ' Acme ',
      primaryColor: '#b45309',
      accentColor: '#0e7490',
      supportEmail: null,
      mailFromName: null,
      mailFromAddress: 'no-reply@acme.test',
      invoiceHeader: '',
      invoiceFooter: 'Thanks',
      poweredBy: false,
    } as PartnerBrand;
    expect(bodyOf({ ...draftOf(brand), mailFromName: '  ' })).toEqual({
      productName: 'Acme',
      primaryColor: '#b45309',
      accentColor: '#0e7490',
      supportEmail: null,
      mailFromName: null,
      mailFromAddress: 'no-reply@acme.test',
      invoiceHeader: '',
      invoiceFooter: 'Thanks',
      poweredBy: false,
    });
  });
});
