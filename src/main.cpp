// Wires configuration to the layers. (Being built: see issue 2.)
int main() { return 0; }
