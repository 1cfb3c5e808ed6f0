package dev.vireo.control.model;

import java.util.HexFormat;

/** A stored API key hash and the account it opens, held in memory so that checking a key never blocks. */
public record Credential(byte[] keyHash, Account account) {

    public static Credential of(String keyHashHex, Account account) {
        return new Credential(HexFormat.of().parseHex(keyHashHex), account);
    }

    @Override
    public String toString() {
        return "Credential[account=" + account.name() + "]";
    }
}
