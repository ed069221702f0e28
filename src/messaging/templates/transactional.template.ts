import type { EmailTemplate } from './email-template';

/**
 * A generic transactional notice (no consent needed): staff or a module sends a short message in the
 * customer's language. payload: { message: string (required, already in the customer's language),
 * date?: ISO instant to show, e.g. an appointment }.
 */
export const transactionalTemplate: EmailTemplate = {
  kind: 'transactional',
  subject: {
    en: 'A message from {{rooftop.name}}',
    km: 'សារពី {{rooftop.name}}',
    lo: 'ຂໍ້ຄວາມຈາກ {{rooftop.name}}',
  },
  html: {
    en: `<p>Dear {{customer.firstName}},</p>
<p>{{payload.message}}</p>
{{#if payload.date}}<p>Date: <strong>{{date payload.date "datetime"}}</strong></p>{{/if}}
<p>Thank you for choosing {{rooftop.name}}.</p>`,
    km: `<p>ជូនចំពោះ {{customer.firstName}}</p>
<p>{{payload.message}}</p>
{{#if payload.date}}<p>កាលបរិច្ឆេទ៖ <strong>{{date payload.date "datetime"}}</strong></p>{{/if}}
<p>សូមអរគុណសម្រាប់ការជ្រើសរើស {{rooftop.name}}។</p>`,
    lo: `<p>ຮຽນ {{customer.firstName}}</p>
<p>{{payload.message}}</p>
{{#if payload.date}}<p>ວັນທີ: <strong>{{date payload.date "datetime"}}</strong></p>{{/if}}
<p>ຂອບໃຈທີ່ເລືອກ {{rooftop.name}}.</p>`,
  },
  text: {
    en: `Dear {{customer.firstName}},

{{payload.message}}
{{#if payload.date}}
Date: {{date payload.date "datetime"}}
{{/if}}

Thank you for choosing {{rooftop.name}}.`,
    km: `ជូនចំពោះ {{customer.firstName}}

{{payload.message}}
{{#if payload.date}}
កាលបរិច្ឆេទ៖ {{date payload.date "datetime"}}
{{/if}}

សូមអរគុណសម្រាប់ការជ្រើសរើស {{rooftop.name}}។`,
    lo: `ຮຽນ {{customer.firstName}}

{{payload.message}}
{{#if payload.date}}
ວັນທີ: {{date payload.date "datetime"}}
{{/if}}

ຂອບໃຈທີ່ເລືອກ {{rooftop.name}}.`,
  },
};
