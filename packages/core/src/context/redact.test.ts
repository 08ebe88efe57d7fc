import { describe, expect, it } from 'vitest';
import { redactText, redactUrl } from './redact';

describe('redactUrl', () => {
  it('strips query parameters that look like secrets and keeps the rest', () => {
    expect(redactUrl('https://a.example/reset?token=abc123&lang=en&password=hunter2')).toBe('https://a.example/reset?lang=en');
    expect(redactUrl('https://a.example/cb?code=xyz&state=1&lang=ja')).toBe('https://a.example/cb?lang=ja');
    expect(redactUrl('https://a.example/?access_token=1&apiKey=2&X-Amz-Signature=3&sessionId=4&page=2')).toBe('https://a.example/?page=2');
  });

  it('keeps innocent parameters whose names merely contain a secret word', () => {
    expect(redactUrl('/search?keyword=shoes&author=aiko')).toBe('/search?keyword=shoes&author=aiko');
  });

  it('cleans OAuth fragments and hash-router queries, and drops user:password@', () => {
    expect(redactUrl('https://a.example/#access_token=t&expires_in=3600')).toBe('https://a.example/#expires_in=3600');
    expect(redactUrl('https://a.example/#/orders?auth=1&tab=2')).toBe('https://a.example/#/orders?tab=2');
    expect(redactUrl('https://a.example/#section-2')).toBe('https://a.example/#section-2');
    expect(redactUrl('https://bob:secret@a.example/x')).toBe('https://a.example/x');
  });

  it('drops the question mark when every parameter was secret', () => {
    expect(redactUrl('https://a.example/p?token=1')).toBe('https://a.example/p');
  });

  it('masks e-mail addresses in paths and values, encoded or not', () => {
    expect(redactUrl('https://a.example/users/aiko@example.com?to=bob%40example.jp')).toBe('https://a.example/users/[email]?to=[email]');
  });

  it('honours allow and deny lists, case-insensitively', () => {
    const o = { allowParams: ['Code'], denyParams: ['order'] };
    expect(redactUrl('/p?code=SUMMER&order=991&token=1&x=1', o)).toBe('/p?code=SUMMER&x=1');
  });

  it.each([
    'state', 'SAMLResponse', 'SAMLRequest', 'ticket', 'nonce', 'oauth_verifier', 'jsessionid', 'JSESSIONID', 'PHPSESSID', 'ASP.NET_SessionId',
    'passphrase', 'bearer', 'magic_link', 'magicLink', 'reset', 'invite', 'invite_code', 'csrf_token', 'X-Amz-Credential', 'client_secret',
  ])('strips %s', (name) => {
    expect(redactUrl(`https://a.example/cb?${name}=v4lu3&lang=en`)).toBe('https://a.example/cb?lang=en');
  });

  it('strips secret path parameters and keeps the others', () => {
    expect(redactUrl('https://a.example/cart;jsessionid=AB12CD?x=1')).toBe('https://a.example/cart?x=1');
    expect(redactUrl('https://a.example/a;jsessionid=AB12/b;v=2')).toBe('https://a.example/a/b;v=2');
  });

  it('masks phone numbers and cards in paths and values, however encoded', () => {
    expect(redactUrl('https://a.example/callback/+81-90-1234-5678?to=090%201234%205678')).toBe('https://a.example/callback/+[phone]?to=[phone]');
    expect(redactUrl('/pay?n=4242+4242+4242+4242&m=4242%204242%204242%204242&k=4242424242424242')).toBe('/pay?n=[card]&m=[card]&k=[card]');
    expect(redactUrl('/search?q=call+me+at+555-123-4567+please')).toBe('/search?q=call+me+at+[phone]+please');
  });

  it('leaves ordinary paths, dates and short ids as they are', () => {
    const url = 'https://a.example/orders/1042/items?from=2024-01-15&page=2#reviews';
    expect(redactUrl(url)).toBe(url);
  });

  it('never throws on malformed input', () => {
    expect(redactUrl('/p?%E0%A4%A=1&token=%zz')).toBe('/p?%E0%A4%A=1');
    expect(redactUrl(undefined as unknown as string)).toBe('');
  });
});

describe('redactText', () => {
  it('masks e-mail addresses', () => {
    expect(redactText('write to aiko.tanaka+help@example.co.jp please')).toBe('write to [email] please');
  });

  it('masks phone numbers in several national formats', () => {
    expect(redactText('call +1 (555) 123-4567 now')).toBe('call [phone] now');
    expect(redactText('電話 090-1234-5678 まで')).toBe('電話 [phone] まで');
    expect(redactText('office 03-1234-5678')).toBe('office [phone]');
  });

  it('masks card numbers that pass the Luhn check only', () => {
    expect(redactText('card 4242 4242 4242 4242 exp 12/30')).toBe('card [card] exp 12/30');
    expect(redactText('card 4111-1111-1111-1111')).toBe('card [card]');
    // 16 digits failing Luhn: not a card; too long to be a phone number either.
    expect(redactText('ref 4242 4242 4242 4241')).toBe('ref 4242 4242 4242 4241');
  });

  it('leaves dates, prices and short numbers alone', () => {
    const s = 'On 2024-01-15 order 12345 cost ¥1,299 at 10:30';
    expect(redactText(s)).toBe(s);
  });

  it('applies extra deny patterns', () => {
    expect(redactText('account ACME-99812 closed', { patterns: [/ACME-\d+/g] })).toBe('account [redacted] closed');
  });
});
