import { describe, expect, it } from 'vitest';
import { Fragment, jsx, raw } from './jsx-runtime.js';

describe('JSX runtime', () => {
  it('escapes text and attributes by default', () => {
    const html = jsx('a', { href: '" onmouseover="x', children: ['<script>', "'&"] }).html;
    expect(html).toBe('<a href="&quot; onmouseover=&quot;x">&lt;script&gt;&#39;&amp;</a>');
  });
  it('passes raw() through and renders void elements, booleans and fragments', () => {
    expect(jsx('input', { type: 'checkbox', checked: true, disabled: false }).html).toBe(
      '<input type="checkbox" checked>',
    );
    expect(Fragment({ children: [raw('<b>x</b>'), null, 1] }).html).toBe('<b>x</b>1');
  });
  it('refuses attribute names that could break out of the tag', () => {
    expect(() => jsx('div', { 'x onload': 'y' })).toThrow();
  });
});
