"""Low-level utilities shared by every room: keccak, RLP, trie roots, secp256k1, blooms."""
