terraform {
  required_version = ">= 1.7.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.100, < 6.0"
    }
  }

  # Local state: it describes resources that only live as long as the emulator. `make local`
  # points it under .cache/local/ with -state and discards it whenever it starts a fresh emulator.
  backend "local" {}
}
