/** Documents made by the tests: a minimal but valid PDF with real text objects, and friends. */

export function makePdf(lines: string[]): Buffer {
  const text = lines.map((l, i) => `BT /F1 12 Tf 72 ${720 - i * 16} Td (${l.replace(/[()\\]/g, (c) => `\\${c}`)}) Tj ET`).join('\n');
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${Buffer.byteLength(text)} >>\nstream\n${text}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let out = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((o, i) => {
    offsets.push(Buffer.byteLength(out, 'latin1'));
    out += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = Buffer.byteLength(out, 'latin1');
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

export const MARKDOWN = `# Onboarding playbook

Most founders underestimate the cost of bad onboarding. Users who do not reach their first
success in the first session rarely come back.

## Activation

The quickest wins come from removing fields from the signup form. Teams that cut the form to
three fields saw activation rise, and a kumquatish checklist kept new users moving.

## Retention

Weekly digests bring back users who drifted away.`;

export const HTML = `<!doctype html><html><head><title>Pricing notes</title><style>.x{color:red} secretstyleword</style>
<script>var secretscriptword = 1;</script></head>
<body><h1>Pricing</h1><p>Annual plans reduce churn because customers commit for a year.</p>
<p>A <b>quillwort</b> discount of 20% is the usual anchor.</p></body></html>`;

export const TEXT = 'Support tickets drop when the product explains itself. The zeppelinesque onboarding tour answered most first questions.';
