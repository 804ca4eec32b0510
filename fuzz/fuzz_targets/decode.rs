//! The decoders (base64, percent-encoding, encoded-segment search) on arbitrary bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = keyfence::decode::base64_decode(data);
    let _ = keyfence::decode::percent_decode(data);
    let hints = keyfence::decode::Hints::search(data);
    let _ = keyfence::decode::segments(data, Some(&hints));
    let _ = keyfence::decode::segments(data, None);
});
