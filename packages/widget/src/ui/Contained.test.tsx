// @vitest-environment happy-dom
import { createMessenger, type Messenger } from '@madoguchi/core';
import { cleanup, fireEvent, render, screen } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Contained } from './Contained';

let m: Messenger;
afterEach(async () => {
  cleanup();
  await m?.shutdown();
  vi.restoreAllMocks();
});

describe('a failure while rendering', () => {
  it('is reported as an error event, not thrown to the page, and the user can try again', () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    m = createMessenger({ appId: 'contained', storage: 'none', transport: { type: 'loopback' } });
    const errors: string[] = [];
    m.on('error', (e) => errors.push(e.message));
    let broken = true;
    function Fragile() {
      if (broken) throw new Error('render bug');
      return <p>Working again</p>;
    }
    expect(() =>
      render(
        <Contained m={m}>
          <Fragile />
        </Contained>,
      ),
    ).not.toThrow();
    expect(errors).toEqual(['the widget failed to render']);
    expect(screen.getByRole('alert').textContent).toContain('Support is not available right now.');
    broken = false;
    fireEvent.click(screen.getByRole('button', { name: 'Try again' }));
    expect(screen.getByText('Working again')).toBeTruthy();
  });
});
