// Text that stresses tokenizers: scripts, emoji, whitespace runs, numbers, code, specials.
export const corpus: Record<string, string> = {
  english: 'The quick brown fox jumps over the lazy dog. It\'s 5 o\'clock; DON\'T PANIC, we\'ve got it.',
  code: 'def fib(n: int) -> int:\n    if n < 2:\n\treturn n\n    return fib(n-1) + fib(n-2)  # O(2^n)\n\nconst x = {a: [1, 2], "b": null};',
  cjk: '你好，世界！日本語のテキストとカタカナ。한국어 문장입니다.',
  emoji: '🤗 👍🏽 👨‍👩‍👧‍👦 🇫🇷 ❤️ 🦀🦀🦀 a🙂b',
  whitespace: '  two leading\t\ttabs   three spaces\n\n\nthree newlines \r\n crlf   \n  trailing   ',
  numbers: '3.14159 1234567890 -42 1e-9 0x1F 10,000,000 ١٢٣ ½',
  mixed: 'Ünïcödé naïve café — “quotes” « guillemets » Привет мир مرحبا नमस्ते ÅΩ≈ç√',
  specials: '<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\nHello<|endoftext|>',
  llamaSpecials: '<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>',
  empty: '',
  lone: ' ',
  punctuation: '!!! ??? ... ,,, ;;; ::: --- ___ *** ((( ))) [[[ ]]] {{{ }}} /// \\\\\\ ||| ~~~ `` \'\' ""',
};
