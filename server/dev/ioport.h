/*
 * The PC's I/O ports the server drives itself (the RTC for the wall clock
 * at boot, the 16550 UART at COM1 for the console), the same in every
 * configuration: in micro the root task grants the server these ports.
 */
#ifndef SRV_IOPORT_H
#define SRV_IOPORT_H

#include <stdint.h>

#define PORT_COM1 0x3f8 /* 8 ports */
#define PORT_RTC  0x70  /* 2 ports: index, data */

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}
static inline uint8_t inb(uint16_t port)
{
	uint8_t v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

#endif
